using Microsoft.Extensions.Time.Testing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;

namespace RemoteModel.Security.Tests;

/// <summary>The replay guard on a manual clock: a nonce is claimed once, remembered for its window, and the guard is bounded.</summary>
public sealed class ReplayGuardTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_nonce_is_claimed_once_per_key_until_its_window_ends()
    {
        var guard = new ReplayGuard(_clock, capacity: 10);
        var until = _clock.GetUtcNow() + TimeSpan.FromSeconds(30);
        Assert.True(guard.TryClaim("a", 1, until, out _));
        Assert.False(guard.TryClaim("a", 1, until, out var full));
        Assert.False(full);
        Assert.True(guard.TryClaim("b", 1, until, out _));

        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(guard.TryClaim("a", 1, _clock.GetUtcNow() + TimeSpan.FromSeconds(30), out _));
    }

    [Fact]
    public void A_full_guard_refuses_until_old_nonces_leave_their_window()
    {
        var guard = new ReplayGuard(_clock, capacity: 2);
        var until = _clock.GetUtcNow() + TimeSpan.FromSeconds(30);
        Assert.True(guard.TryClaim("a", 1, until, out _));
        Assert.True(guard.TryClaim("a", 2, until, out _));
        Assert.False(guard.TryClaim("a", 3, until, out var full));
        Assert.True(full);

        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(guard.TryClaim("a", 3, _clock.GetUtcNow() + TimeSpan.FromSeconds(30), out full));
        Assert.False(full);
    }

    [Fact]
    public void A_claim_behind_one_whose_window_ends_later_is_forgotten_when_that_one_is()
    {
        // A client whose clock runs ahead claims first, with the later window.
        var guard = new ReplayGuard(_clock, capacity: 10);
        var start = _clock.GetUtcNow();
        Assert.True(guard.TryClaim("ahead", 1, start + TimeSpan.FromSeconds(60), out _));
        Assert.True(guard.TryClaim("a", 1, start + TimeSpan.FromSeconds(30), out _));

        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(guard.TryClaim("a", 1, _clock.GetUtcNow() + TimeSpan.FromSeconds(30), out var full));
        Assert.False(full);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(guard.TryClaim("a", 1, _clock.GetUtcNow() + TimeSpan.FromSeconds(30), out _));
        Assert.True(guard.TryClaim("ahead", 1, _clock.GetUtcNow() + TimeSpan.FromSeconds(30), out _));
        Assert.False(guard.TryClaim("a", 1, _clock.GetUtcNow() + TimeSpan.FromSeconds(30), out _));
    }
}
