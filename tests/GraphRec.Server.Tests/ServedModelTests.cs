using GraphRec.Core;
using GraphRec.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GraphRec.Server.Tests;

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
