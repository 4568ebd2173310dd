using Google.Protobuf.Collections;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;

namespace RemoteModel.Models.Tests;

/// <summary><see cref="ModelLifecycle"/>: the state machine, alone.</summary>
public sealed class ModelLifecycleTests
{
    private static readonly ModelSchema OvenSchema = new(typeof(Oven));

    private static MapField<string, Value> Arguments(params (string Name, object? Value)[] arguments)
    {
        var map = new MapField<string, Value>();
        foreach (var (name, value) in arguments)
        {
            map[name] = ModelValues.ToValue(value);
        }

        return map;
    }

    [Fact]
    public void The_transitions_walk_the_lab_lifecycle_and_run_on_the_model()
    {
        var oven = new Oven();
        var lifecycle = new ModelLifecycle(OvenSchema.Lifecycle);
        Assert.Equal(LifecycleState.Uninitialized, lifecycle.State);

        Assert.Null(lifecycle.Transition(oven, "init", Arguments()));
        Assert.Equal(LifecycleState.Initialized, lifecycle.State);
        Assert.Null(lifecycle.Transition(oven, "configure", Arguments(("Setpoint", 180.0))));
        Assert.Equal((LifecycleState.Configured, 180.0, 2), (lifecycle.State, oven.Setpoint, oven.Zones));
        Assert.Null(lifecycle.Transition(oven, "invalidate", Arguments()));
        Assert.Null(lifecycle.Transition(oven, "deinit", Arguments()));
        Assert.Equal(LifecycleState.Uninitialized, lifecycle.State);
    }

    [Fact]
    public void A_transition_not_allowed_now_or_with_refused_arguments_leaves_the_state_and_the_model_alone()
    {
        var oven = new Oven();
        var lifecycle = new ModelLifecycle(OvenSchema.Lifecycle);
        var early = Assert.Throws<ModelException>(() => lifecycle.Transition(oven, "configure", Arguments()));
        Assert.Equal(ModelErrorReason.FailedPrecondition, early.Reason);
        Assert.Equal("'configure' is not allowed while the model is UNINITIALIZED; allowed now: init", early.Message);

        lifecycle.Transition(oven, "init", Arguments());
        Assert.Equal(ModelErrorReason.OutOfRange, Assert.Throws<ModelException>(() => lifecycle.Transition(oven, "configure", Arguments(("Setpoint", 999.0)))).Reason);
        Assert.Equal(ModelErrorReason.InvalidArgument, Assert.Throws<ModelException>(() => lifecycle.Transition(oven, "configure", Arguments(("Speed", 1)))).Reason);
        Assert.Equal(ModelErrorReason.InvalidArgument, Assert.Throws<ModelException>(() => lifecycle.Transition(oven, "deinit", Arguments(("now", true)))).Reason);
        Assert.Equal((LifecycleState.Initialized, 0.0), (lifecycle.State, oven.Setpoint));
    }

    [Fact]
    public void A_transition_that_throws_leaves_the_model_faulted_where_only_deinit_is_allowed()
    {
        var oven = new Oven { FailNextInit = true };
        var lifecycle = new ModelLifecycle(OvenSchema.Lifecycle);

        var failure = lifecycle.Transition(oven, "init", Arguments());
        Assert.NotNull(failure);
        Assert.Equal(ModelErrorReason.Unknown, failure.Reason);
        Assert.Equal("init failed with IOException: heater not found; the model is now FAULTED (only deinit is allowed)", failure.Message);
        Assert.Equal(LifecycleState.Faulted, lifecycle.State);
        Assert.Throws<ModelException>(() => lifecycle.Transition(oven, "init", Arguments()));
        Assert.Null(lifecycle.Transition(oven, "deinit", Arguments()));
        Assert.Equal(LifecycleState.Uninitialized, lifecycle.State);
    }

    [Fact]
    public void An_operation_is_checked_against_the_states_its_author_allowed()
    {
        var oven = new Oven();
        var lifecycle = new ModelLifecycle(OvenSchema.Lifecycle);
        var start = OvenSchema.Operations["Start"];
        Assert.Equal([LifecycleState.Configured], start.AllowedIn);

        var refused = Assert.Throws<ModelException>(() => lifecycle.CheckAllowed(start));
        Assert.Equal((ModelErrorReason.FailedPrecondition, "operation 'Start' is allowed only in CONFIGURED; the model is UNINITIALIZED"), (refused.Reason, refused.Message));
        lifecycle.Transition(oven, "init", Arguments());
        lifecycle.Transition(oven, "configure", Arguments());
        lifecycle.CheckAllowed(start);
    }

    [Fact]
    public void A_model_without_a_lifecycle_is_unspecified_and_has_no_transitions()
    {
        var lifecycle = new ModelLifecycle(new ModelSchema(typeof(Stage)).Lifecycle);
        Assert.Equal(LifecycleState.Unspecified, lifecycle.State);
        Assert.False(lifecycle.IsTransition("init"));
        Assert.Empty(lifecycle.TransitionNames);
        var description = new ModelDescription();
        lifecycle.Describe(description);
        Assert.Null(description.Lifecycle);
    }

    [Theory]
    [InlineData(ModelLifecycleState.Uninitialized, LifecycleState.Uninitialized)]
    [InlineData(ModelLifecycleState.Initialized, LifecycleState.Initialized)]
    [InlineData(ModelLifecycleState.Configured, LifecycleState.Configured)]
    [InlineData(ModelLifecycleState.Faulted, LifecycleState.Faulted)]
    public void An_authored_state_is_the_protocols_state_of_the_same_name(ModelLifecycleState authored, LifecycleState protocol) =>
        Assert.Equal(protocol, ModelLifecycle.ToProtocol(authored));
}
