[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace RemoteModel.Web.Tests;

internal static class TestProcess
{
    /// <summary>Before any test: the process's own keyring (see <see cref="RemoteModel.Testing.TestKeyring"/>), inherited by every child process.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => RemoteModel.Testing.TestKeyring.Initialize();
}
