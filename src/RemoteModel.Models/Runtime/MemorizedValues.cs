using Microsoft.Extensions.Logging;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// One model's memorized properties in the state store: applied again at start, in declaration
/// order, skipping with a warning a value that no longer fits; kept at every Modify before it answers.
/// </summary>
internal sealed partial class MemorizedValues(string model, MemorizedStore store, TimeProvider timeProvider, ILogger logger)
{
    private readonly ILogger _logger = logger;

    /// <summary>The store's file, for messages.</summary>
    public string StorePath => store.Path;

    /// <summary>Sets each memorized property of <paramref name="properties"/> (in their order) to its stored value.</summary>
    /// <exception cref="MemorizedStoreException">The store cannot be read.</exception>
    public void Restore(object instance, IEnumerable<PropertyBinding> properties)
    {
        var stored = store.Read(model);
        foreach (var property in properties.Where(p => p.Memorized))
        {
            if (!stored.TryGetValue(property.Name, out var value))
            {
                continue;
            }

            try
            {
                property.Set(instance, property.Convert(value));
                LogRestored(model, property.Name, value.ToDisplayString(), store.Path);
            }
            catch (ModelException ex)
            {
                LogSkipped(model, property.Name, value.ToDisplayString(), ex.Message);
            }
            catch (Exception ex)
            {
                // The setter refused it (a check of the model's own): the property keeps its initial value.
                LogSkipped(model, property.Name, value.ToDisplayString(), $"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>Keeps <paramref name="written"/> as the last written values; false (and logged) when the store failed.</summary>
    public bool Keep(IEnumerable<KeyValuePair<string, Value>> written, string caller)
    {
        var values = written.ToList();
        if (values.Count == 0)
        {
            return true;
        }

        try
        {
            store.Write(model, values, caller, timeProvider.GetUtcNow());
            return true;
        }
        catch (MemorizedStoreException ex)
        {
            LogKeepFailed(model, ex.Message, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}: memorized {Property} = {Value} applied from {Store}")]
    private partial void LogRestored(string model, string property, string value, string store);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model}: memorized {Property} = {Value} skipped: {Reason}; it keeps its initial value")]
    private partial void LogSkipped(string model, string property, string value, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Model}: keeping memorized values failed: {Reason}")]
    private partial void LogKeepFailed(string model, string reason, Exception exception);
}
