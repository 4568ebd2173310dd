using Xunit;

namespace RemoteModel.Testing;

/// <summary>Polls a condition that other parts make true, with a generous timeout; never waits on time itself.</summary>
public static class Eventually
{
    /// <summary>The default wait: generous, since a failing test is the only one that waits it out.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds, failing, with <paramref name="what"/>, after <paramref name="timeout"/> (default 30 s).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {wait.TotalSeconds:0} s for {what}.");
            await Task.Delay(20);
        }
    }
}
