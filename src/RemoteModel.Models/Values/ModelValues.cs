using RemoteModel.Models.Values;
using RemoteModel.Models.V1;
using Grpc.Core;
using RemoteModel.Models.Server;

namespace RemoteModel.Models;

/// <summary>Conversion between CLR values and the protocol's typed <see cref="Value"/>, for clients and tests.</summary>
public static class ModelValues
{
    /// <summary>
    /// A CLR value on the wire, by its runtime type: null, bool, integers, double, float, string,
    /// byte[], DateTime, DateTimeOffset, TimeSpan, enums (by name), lists, string-keyed dictionaries.
    /// </summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT for a type the protocol does not carry; OUT_OF_RANGE for a ulong above long.MaxValue.</exception>
    public static Value ToValue(object? value)
    {
        try
        {
            return ValueCodec.ToValue(value);
        }
        catch (ModelException ex)
        {
            throw ModelErrorStatus.ToRpcException(ex);
        }
    }

    /// <summary>A wire value as a <typeparamref name="T"/>, with the same rules the server applies.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT for the wrong type; OUT_OF_RANGE when it does not fit.</exception>
    public static T? FromValue<T>(Value value)
    {
        try
        {
            return (T?)ValueCodec.FromValue(value, typeof(T), !typeof(T).IsValueType, "value");
        }
        catch (ModelException ex)
        {
            throw ModelErrorStatus.ToRpcException(ex);
        }
    }
}
