using System.Reflection;

namespace RemoteModel.Examples.TickerDemo;

/// <summary>Where the build put the processes the demo runs (recorded by TickerDemo.csproj).</summary>
internal static class DemoParts
{
    public static string NameServer => Find("remotemodel-ns");

    public static string ModelServer => Find("remotemodel-server");

    public static string Viewer => Find("remotemodel-viewer");

    public static string Web => Find("remotemodel-web");

    public static string TickerAssembly => Find("RemoteModel.Examples.Ticker");

    private static string Find(string assemblyName)
    {
        var key = "DemoPart:" + assemblyName;
        var path = typeof(DemoParts).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"The build recorded no path for {assemblyName}; rebuild examples/TickerDemo.");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; run: dotnet build examples/TickerDemo", path);
    }
}
