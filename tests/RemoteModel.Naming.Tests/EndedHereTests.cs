using Microsoft.Extensions.Time.Testing;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>The name server's notes of the ends it made itself, which the watch of the store claims.</summary>
public sealed class EndedHereTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void An_end_made_here_is_claimed_once_by_lease_or_by_name_and_a_taken_back_one_not_at_all()
    {
        var ended = new EndedHere(_clock);
        ended.Lease(7);
        ended.Name("lab/removed");
        ended.Lease(8);
        ended.Forget(8);

        Assert.True(ended.Claims(new Registration { Name = "lab/held", LeaseId = 7 }));
        Assert.False(ended.Claims(new Registration { Name = "lab/held", LeaseId = 7 }));
        Assert.True(ended.Claims(new Registration { Name = "lab/removed" }));
        Assert.False(ended.Claims(new Registration { Name = "lab/other", LeaseId = 8 }));
    }

    [Fact]
    public void Notes_whose_event_never_comes_are_forgotten_after_a_while_even_with_nobody_claiming()
    {
        var ended = new EndedHere(_clock);
        ended.Lease(1);
        ended.Name("lab/a");
        _clock.Advance(EndedHere.Memory + EndedHere.Memory);

        // Noting another end sweeps the old ones away; the new one stays.
        ended.Lease(2);
        Assert.Equal(1, ended.Pending);
        Assert.False(ended.Claims(new Registration { Name = "lab/a", LeaseId = 1 }));
        Assert.True(ended.Claims(new Registration { Name = "lab/b", LeaseId = 2 }));
    }
}
