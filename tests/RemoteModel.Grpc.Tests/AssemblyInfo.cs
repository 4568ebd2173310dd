[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace RemoteModel.Grpc.Tests;

internal static class TestProcess
{
    /// <summary>Before any test: the process's own keyring (see <see cref="RemoteModel.Testing.TestKeyring"/>).</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => RemoteModel.Testing.TestKeyring.Initialize();
}
