using Bunit;
using Grpc.Core;
using RemoteModel.Models.V1;
using RemoteModel.Web.Components.Parts;
using Value = RemoteModel.Models.V1.Value;
using ValueType = RemoteModel.Models.V1.ValueType;

namespace RemoteModel.Web.Tests.Components;

/// <summary>The form generated from a signature: typed inputs with defaults, units and ranges; what it sends; what it shows.</summary>
public sealed class ParameterFormTests : BunitContext
{
    private static readonly ParameterDescription Target = new()
    {
        Name = "target",
        Type = new TypeInfo { Type = ValueType.Double },
        Unit = "mm",
        Minimum = new Value { DoubleValue = 0 },
        Maximum = new Value { DoubleValue = 50 },
    };

    private static readonly ParameterDescription Speed = new()
    {
        Name = "speed",
        Type = new TypeInfo { Type = ValueType.Enum, EnumMembers = { "Slow", "Fast" } },
        DefaultValue = new Value { EnumValue = "Slow" },
    };

    private IReadOnlyDictionary<string, Value>? _sent;

    [Fact]
    public void Each_parameter_gets_its_input_with_default_unit_and_range()
    {
        var form = Render(_ => Task.FromResult("done"));

        Assert.Equal("50", form.Find("#op-MoveTo-target").GetAttribute("max"));
        Assert.Contains("mm", form.Find(".unit").TextContent, StringComparison.Ordinal);
        Assert.True(form.FindAll("#op-MoveTo-speed option")[0].HasAttribute("selected"));
    }

    [Fact]
    public void Submitting_sends_what_was_typed_and_leaves_defaults_to_the_server_then_shows_the_result()
    {
        var form = Render(arguments =>
        {
            _sent = arguments;
            return Task.FromResult("12.5 (v3)");
        });

        form.Find("#op-MoveTo-target").Input("12.5");
        form.Find("#invoke-MoveTo").Click();

        Assert.Equal(new Value { DoubleValue = 12.5 }, Assert.Single(_sent!).Value);
        Assert.Equal("12.5 (v3)", form.Find("#op-MoveTo-outcome").TextContent);
    }

    [Fact]
    public void A_required_parameter_left_out_is_said_so_and_nothing_is_sent()
    {
        var form = Render(arguments =>
        {
            _sent = arguments;
            return Task.FromResult("done");
        });

        form.Find("#invoke-MoveTo").Click();

        Assert.Null(_sent);
        Assert.Equal("target: a value is needed", form.Find("#op-MoveTo-outcome").TextContent);
    }

    [Fact]
    public void A_refusal_is_shown_in_the_servers_words()
    {
        var form = Render(_ => throw new RpcException(new Status(StatusCode.OutOfRange, "argument 'target': 80 is outside 0..50 mm")));

        form.Find("#op-MoveTo-target").Input("80");
        form.Find("#invoke-MoveTo").Click();

        Assert.Equal("argument 'target': 80 is outside 0..50 mm (OUT_OF_RANGE)", form.Find("#op-MoveTo-outcome").TextContent);
        Assert.Contains("error", form.Find("#op-MoveTo-outcome").ClassList);
    }

    private IRenderedComponent<ParameterForm> Render(Func<IReadOnlyDictionary<string, Value>, Task<string>> submit) =>
        Render<ParameterForm>(parameters => parameters
            .Add(p => p.Parameters, new[] { Target, Speed })
            .Add(p => p.IdPrefix, "op-MoveTo")
            .Add(p => p.ButtonId, "invoke-MoveTo")
            .Add(p => p.ButtonText, "MoveTo")
            .Add(p => p.Submit, submit));
}
