using Microsoft.Extensions.Options;
using RemoteModel.Web.Hosting;
using RemoteModel.Web.Security;

namespace RemoteModel.Web.Live;

/// <summary>Makes a circuit's model pages: each with its user, a viewer name of its own, and the web view's settings.</summary>
internal sealed class LiveModelFactory(IOptions<WebOptions> options, ViewerNames names, TimeProvider time, ILoggerFactory loggers)
{
    public LiveModel Open(string model, WebUser user)
    {
        var live = new LiveModel(model, user, names.Next(user.Name), options.Value, time, loggers.CreateLogger<LiveModel>());
        live.Start();
        return live;
    }
}
