using System.Diagnostics;
using GraphRec.Core;
using GraphRec.Hosting;
using GraphRec.Tests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GraphRec.Server.Tests;

/// <summary>
/// The served model's reloads: a good file is served, a bad one is refused and logged while the last good model goes on
/// serving. Runs alone: a test here counts the bytes the process allocates, which tests running beside it would add to.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ServedModelTests : IDisposable
{
    private readonly ModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task A_call_in_flight_finishes_on_the_old_model_which_is_disposed_only_after_it()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        using var served = new ServedModel(Options.Create(new ServedModelOptions { ModelPath = path }), NullLogger<ServedModel>.Instance);
        using var entered = new SemaphoreSlim(0);
        using var proceed = new SemaphoreSlim(0);
        IRecommender? old = null;
        var inFlight = Task.Run(() => served.Use(model =>
        {
            old = model;
            entered.Release();
            proceed.Wait();
            return model.Recommend(1, 3); // after the reload: still the old model, still alive
        }));
        await entered.WaitAsync();

        string next = await _files.WriteAsync("next.graphrec", seed: 2);
        File.Move(next, path, overwrite: true);
        Assert.True(await served.ReloadAsync());
        Assert.Equal(2, served.Generation);
        Assert.NotSame(old, served.Use(model => model));
        proceed.Release();

        Assert.Equal(3, (await inFlight).Count);
        Assert.ThrowsAny<Exception>(() => old!.Recommend(1, 3)); // released by its last user, so disposed
    }

    [Fact]
    public async Task Every_member_of_a_disposed_served_model_throws_ObjectDisposedException()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var served = new ServedModel(Options.Create(new ServedModelOptions { ModelPath = path }), NullLogger<ServedModel>.Instance);
        served.Dispose();
        served.Dispose(); // a second dispose is allowed

        var calls = new (string Name, Action Call)[]
        {
            ("Use", () => served.Use(model => model.Recommend(1, 3))),
            ("ModelPath", () => _ = served.ModelPath),
            ("Generation", () => _ = served.Generation),
            ("LoadedAt", () => _ = served.LoadedAt),
        };
        foreach (var (name, call) in calls)
        {
            var error = Record.Exception(call);
            Assert.True(error is ObjectDisposedException, $"{name}: {error?.GetType().Name ?? "no exception"}: {error?.Message}");
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => served.ReloadAsync());
    }

    [SkippableFact]
    public async Task A_link_to_dev_zero_renamed_over_the_model_is_refused_logged_and_not_read()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero and symbolic links to it are Linux's.");
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var logger = new ListLogger<ServedModel>();
        using var served = new ServedModel(Options.Create(new ServedModelOptions { ModelPath = path }), logger);
        string link = Path.Combine(_files.Folder, "zero");
        File.CreateSymbolicLink(link, "/dev/zero");
        File.Move(link, path, overwrite: true);
        long before = GC.GetTotalAllocatedBytes(precise: true);

        Assert.False(await served.ReloadAsync().WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 << 20, "the reload read from the device");
        Assert.Equal(1, served.Generation);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("not a regular file", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_pipe_renamed_over_the_model_is_refused_at_once_and_a_good_file_after_it_is_served()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Named pipes are made with mkfifo.");
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var logger = new ListLogger<ServedModel>();
        using var served = new ServedModel(Options.Create(new ServedModelOptions { ModelPath = path }), logger);
        string pipe = Path.Combine(_files.Folder, "pipe");
        using (var mkfifo = Process.Start("mkfifo", [pipe])!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.Move(pipe, path, overwrite: true);

        // Off this thread and bounded: opening a pipe for reading waits for a writer, which would hang the test.
        Assert.False(await Task.Run(() => served.ReloadAsync()).WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("not a regular file", StringComparison.Ordinal));

        string next = await _files.WriteAsync("next.graphrec", seed: 2);
        File.Move(next, path, overwrite: true);
        Assert.True(await served.ReloadAsync().WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(2, served.Generation);
    }

    [Fact]
    public async Task A_reload_of_a_damaged_file_returns_false_and_keeps_the_model()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        using var served = new ServedModel(Options.Create(new ServedModelOptions { ModelPath = path }), NullLogger<ServedModel>.Instance);
        var before = served.Use(model => model.Recommend(1, 3).Select(r => r.ItemId).ToArray());
        await File.WriteAllTextAsync(path, "not a model");

        Assert.False(await served.ReloadAsync());

        Assert.Equal(1, served.Generation);
        Assert.Equal(before, served.Use(model => model.Recommend(1, 3).Select(r => r.ItemId).ToArray()));
    }
}
