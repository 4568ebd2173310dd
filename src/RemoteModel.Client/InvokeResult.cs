using RemoteModel.Models;
using RemoteModel.Models.V1;

namespace RemoteModel.Client;

/// <summary>What an operation returned, and the model's version after it. Prints as <c>Reset: done @v44</c> or <c>Quote: 101.2 @v45</c>.</summary>
public sealed class InvokeResult
{
    internal InvokeResult(string operation, InvokeResponse response)
    {
        Operation = operation;
        Version = response.Version;
        WireValue = response.Result;
        Value = WireValues.ToObject(response.Result);
    }

    /// <summary>The operation invoked.</summary>
    public string Operation { get; }

    /// <summary>What it returned; null when it returns nothing.</summary>
    public object? Value { get; }

    /// <summary>What it returned, as it came on the wire; null when it returns nothing.</summary>
    public Value? WireValue { get; }

    /// <summary>The model's version after the operation.</summary>
    public long Version { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Operation}: {(WireValue is null ? "done" : WireValue.ToDisplayString())} @v{Version}";
}
