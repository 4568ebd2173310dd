using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Client;

/// <summary>
/// The protocol's rule for the states of a notification's values: a value with no entry in
/// <c>states</c> is VALID, with no reason, and its source time is the notification's own <c>time</c>.
/// The server leaves such states out, so the common case carries no state at all; readers fill them
/// in here. Both sides of the rule live in this one class.
/// </summary>
public static class NotificationStates
{
    /// <summary>
    /// The state of the value <paramref name="name"/> in <paramref name="notification"/>: its entry in
    /// <c>states</c>, or else VALID, with no reason, changed at its source at the notification's time.
    /// </summary>
    public static ValueState StateOf(this Notification notification, string name) =>
        notification.States.TryGetValue(name, out var state) ? state : Implied(notification.Time);

    /// <summary>The quality of the value <paramref name="name"/> as <see cref="StateOf"/> gives it, without building a state (the server's deadbands ask it per viewer).</summary>
    internal static Quality QualityOf(this Notification notification, string name) =>
        notification.States.TryGetValue(name, out var state) ? state.Quality : Quality.Valid;

    /// <summary>The state a value without an entry has in a notification of <paramref name="time"/>.</summary>
    internal static ValueState Implied(Timestamp? time) => new() { Quality = Quality.Valid, SourceTime = time };

    /// <summary>Gives <paramref name="notification"/> (its time set) the state of <paramref name="name"/>, unless it is what its absence says: the server's one way to fill <c>states</c>.</summary>
    internal static void AddState(this Notification notification, string name, ValueState state)
    {
        if (!state.IsImpliedAt(notification.Time))
        {
            notification.States[name] = state;
        }
    }

    /// <summary>True when <paramref name="state"/> is what its absence says in a notification of <paramref name="time"/>, so the server leaves it out.</summary>
    internal static bool IsImpliedAt(this ValueState state, Timestamp? time) =>
        state.Quality == Quality.Valid && state.Reason.Length == 0 && time is not null && time.Equals(state.SourceTime);
}
