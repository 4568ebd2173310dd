using Grpc.Core;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.Server;

namespace RemoteModel.Models.Tests;

/// <summary>Refusals: how a model's exceptions become <see cref="ModelException"/>s, and those gRPC statuses in the service layer.</summary>
public sealed class ModelErrorTests
{
    [Fact]
    public void Every_reason_is_answered_with_the_status_of_the_same_name_and_number()
    {
        foreach (var reason in Enum.GetValues<ModelErrorReason>())
        {
            var code = ModelErrorStatus.Code(reason);
            Assert.Equal(reason.ToString(), code.ToString());
            // Audit records carry the reason's number as the status code.
            Assert.Equal((int)reason, (int)code);
        }

        var rpc = ModelErrorStatus.ToRpcException(new ModelException(ModelErrorReason.Aborted, "model 'x' is at version 3"));
        Assert.Equal((StatusCode.Aborted, "model 'x' is at version 3"), (rpc.StatusCode, rpc.Status.Detail));
    }

    [Theory]
    [InlineData(typeof(ArgumentOutOfRangeException), ModelErrorReason.OutOfRange)]
    [InlineData(typeof(ArgumentException), ModelErrorReason.InvalidArgument)]
    [InlineData(typeof(InvalidOperationException), ModelErrorReason.FailedPrecondition)]
    [InlineData(typeof(NotSupportedException), ModelErrorReason.Unimplemented)]
    [InlineData(typeof(NotImplementedException), ModelErrorReason.Unimplemented)]
    [InlineData(typeof(IOException), ModelErrorReason.Unknown)]
    public void A_models_own_exception_becomes_a_refusal_with_its_message(Type thrown, ModelErrorReason reason)
    {
        var refusal = ModelErrors.From((Exception)Activator.CreateInstance(thrown, "the heater is off")!, "setting 'Setpoint'");
        Assert.Equal(reason, refusal.Reason);
        Assert.StartsWith("setting 'Setpoint' failed", refusal.Message);
        Assert.Contains("the heater is off", refusal.Message);
    }

    [Fact]
    public void A_models_own_refusal_is_kept_as_it_is()
    {
        var own = new ModelException(ModelErrorReason.PermissionDenied, "the interlock is closed");
        Assert.Same(own, ModelErrors.From(own, "operation 'Start'"));
    }

    [Fact]
    public void The_authoring_library_pulls_in_no_gRPC_naming_or_ASP_NET_Core()
    {
        var references = typeof(ModelAttribute).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Equal("RemoteModel.Authoring", typeof(IModelLifecycle<>).Assembly.GetName().Name);
        Assert.Same(typeof(ModelAttribute).Assembly, typeof(ModelException).Assembly);
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", $"RemoteModel.Authoring references {name}"));
    }
}
