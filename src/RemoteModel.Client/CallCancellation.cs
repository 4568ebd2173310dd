namespace RemoteModel.Client;

/// <summary>The token of one call, and the linked source behind it when there is one.</summary>
internal readonly record struct CallCancellation(CancellationToken Token, CancellationTokenSource? Source) : IDisposable
{
    public static CallCancellation Linked(CancellationTokenSource source) => new(source.Token, source);

    public void Dispose() => Source?.Dispose();
}
