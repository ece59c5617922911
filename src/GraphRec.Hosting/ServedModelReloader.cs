using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>
/// Loads the served model while the host starts (so that a file that does not load stops it before any request) and,
/// with <see cref="ServedModelOptions.ReloadOnChange"/>, watches the file's folder and reloads after a change settles.
/// </summary>
internal sealed class ServedModelReloader(ServedModel model, IOptions<ServedModelOptions> options) : IHostedService, IDisposable
{
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ReloadOnChange)
        {
            return Task.CompletedTask;
        }

        _debounce = new Timer(_ => _ = model.ReloadAsync());
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(model.ModelPath)!, Path.GetFileName(model.ModelPath))
        {
            // The model file is replaced by renaming a finished temporary file over it: watch names as well as writes.
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChange;
        _watcher.Created += OnChange;
        _watcher.Renamed += OnChange;
        _watcher.EnableRaisingEvents = true;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_watcher is not null)
        {
            _watcher.EnableRaisingEvents = false;
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }

    private void OnChange(object sender, FileSystemEventArgs change) =>
        _debounce?.Change(options.Value.ReloadDelay, Timeout.InfiniteTimeSpan);
}
