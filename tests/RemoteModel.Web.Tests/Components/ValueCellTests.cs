using Bunit;
using RemoteModel.Models.V1;
using RemoteModel.Web.Components.Parts;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Web.Tests.Components;

/// <summary>A value's cell on the model page: the value, and its quality marked when it is not VALID.</summary>
public sealed class ValueCellTests : BunitContext
{
    [Fact]
    public void A_valid_value_is_shown_unmarked()
    {
        var cell = Render(new ValueState { Quality = Quality.Valid });

        Assert.Equal("101.5", cell.Find("#value-Price").TextContent);
        Assert.Equal("value", cell.Find("td").ClassName);
        Assert.Empty(cell.FindAll(".quality"));
        Assert.False(cell.Find("td").HasAttribute("title"));
    }

    [Theory]
    [InlineData(Quality.Warning, "WARNING", "above high warning limit 110")]
    [InlineData(Quality.Alarm, "ALARM", "above high alarm limit 120")]
    [InlineData(Quality.Invalid, "INVALID", "sensor link lost")]
    public void A_value_that_is_not_valid_is_marked_with_its_quality_and_says_why(Quality quality, string marker, string reason)
    {
        var cell = Render(new ValueState { Quality = quality, Reason = reason });

        Assert.Equal("101.5", cell.Find("#value-Price").TextContent);
        Assert.Equal(marker, cell.Find(".quality").TextContent);
        Assert.Equal($"value {marker.ToLowerInvariant()}", cell.Find("td").ClassName);
        Assert.Equal(reason, cell.Find("td").GetAttribute("title"));
    }

    [Fact]
    public void A_property_no_notification_carried_yet_shows_nothing_and_no_quality()
    {
        var cell = Render<ValueCell>(parameters => parameters.Add(p => p.Name, "Price"));

        Assert.Equal(string.Empty, cell.Find("#value-Price").TextContent);
        Assert.Empty(cell.FindAll(".quality"));
    }

    private IRenderedComponent<ValueCell> Render(ValueState state) =>
        Render<ValueCell>(parameters => parameters
            .Add(p => p.Name, "Price")
            .Add(p => p.Value, new Value { DoubleValue = 101.5 })
            .Add(p => p.State, state));
}
