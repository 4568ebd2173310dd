namespace RemoteModel.Transport.Client;

/// <summary>A unary call's response with the metadata that came with it.</summary>
/// <typeparam name="TResponse">The response message.</typeparam>
/// <param name="Response">The response message.</param>
/// <param name="Headers">The custom response headers.</param>
/// <param name="Trailers">The custom trailers sent with the status.</param>
public sealed record CallResult<TResponse>(TResponse Response, Metadata Headers, Metadata Trailers);
