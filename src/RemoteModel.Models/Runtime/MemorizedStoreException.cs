namespace RemoteModel.Models.Runtime;

/// <summary>The memorized-value store cannot be opened, read or written; the message says which file and what to do.</summary>
internal sealed class MemorizedStoreException(string message, Exception? inner = null) : Exception(message, inner);
