using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphRec.Server.Tests;

/// <summary>AddGraphRecRetraining: a served model retrained on the events of an <see cref="IDatasetProvider"/>.</summary>
public sealed class RetrainingTests : IDisposable
{
    private readonly ModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>The planted dataset's events, plus user 41 and item 130 when <see cref="WithNewcomers"/> is set; or a failure.</summary>
    private sealed class Events : IDatasetProvider
    {
        public bool WithNewcomers { get; set; }

        public Exception? Failure { get; set; }

        public int Reads { get; private set; }

        public string Name => "planted events";

        public Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken = default)
        {
            Reads++;
            if (Failure is not null)
            {
                return Task.FromException<InteractionDataset>(Failure);
            }

            var planted = ModelFiles.Dataset();
            if (!WithNewcomers)
            {
                return Task.FromResult(planted);
            }

            // User 41 takes the first taste group's items and item 130, which users 1 to 10 also took.
            var rows = Enumerable.Range(0, 40).Select(u => planted.Interactions.ItemsOf(u).ToArray().ToList()).ToList();
            for (int user = 0; user < 10; user++)
            {
                rows[user].Add(30);
            }

            rows.Add([0, 1, 2, 3, 4, 30]);
            var pointers = new int[42];
            for (int user = 0; user < 41; user++)
            {
                pointers[user + 1] = pointers[user] + rows[user].Count;
            }

            var interactions = new Interactions(41, 31, pointers, [.. rows.SelectMany(r => r)]);
            var items = planted.ItemInfo!.Append(new ItemInfo("Movie 130", 2020, ["Drama"])).ToArray();
            return Task.FromResult(new InteractionDataset(
                "planted", new IdMap(Enumerable.Range(1, 41).Select(u => (long)u)), new IdMap(Enumerable.Range(100, 31).Select(i => (long)i)),
                interactions, items, new LoadReport(interactions.Count, 0, 0, 0, [])));
        }
    }

    private sealed class ErrorLog : ILoggerProvider
    {
        public List<string> Errors { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lock (log.Errors)
                    {
                        log.Errors.Add($"{category}: {formatter(state, exception)}");
                    }
                }
            }
        }
    }

    private static async Task<(IHost Host, Events Events, ErrorLog Log)> StartAsync(string modelPath, Action<RetrainingOptions>? configure = null)
    {
        var events = new Events();
        var log = new ErrorLog();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(log);
        builder.Services.AddSingleton<IDatasetProvider>(events);
        builder.Services.AddGraphRecRecommender(o => o.ModelPath = modelPath);
        builder.Services.AddGraphRecRetraining(o =>
        {
            o.LightGcn = new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 3, BatchSize = 64 };
            configure?.Invoke(o);
        });
        var host = builder.Build();
        await host.StartAsync();
        return (host, events, log);
    }

    [Fact]
    public async Task A_retrain_serves_a_model_that_knows_a_new_user_and_can_recommend_a_new_item()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var (host, events, log) = await StartAsync(path);
        using (host)
        {
            var served = host.Services.GetRequiredService<ServedModel>();
            Assert.ThrowsAny<KeyNotFoundException>(() => served.Use(model => model.Recommend(41, 3)));
            events.WithNewcomers = true;

            var result = await host.Services.GetRequiredService<ModelRetrainer>().RetrainAsync();

            Assert.True(result.Succeeded, result.Error);
            Assert.Equal((41, 31, 2), (result.Users, result.Items, result.Generation));
            Assert.Equal(2, served.Generation);
            Assert.Equal(5, served.Use(model => model.Recommend(41, 5)).Count);
            Assert.Contains(served.Use(model => model.SimilarItems(100, 30)), r => r.ItemIndex == 30);
            Assert.Empty(log.Errors);
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_warm_retrain_starts_from_the_served_models_embeddings_and_a_cold_one_does_not(bool warm)
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var (host, _, _) = await StartAsync(path, o =>
        {
            // One step too small to move anything: what the new model holds is where it started.
            o.LightGcn = new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 1, BatchSize = 64, LearningRate = 1e-12, Seed = 99 };
            o.WarmStart = warm;
        });
        using (host)
        {
            var served = host.Services.GetRequiredService<ServedModel>();
            float[] before = served.Use(model => ((LightGcn)model).Model.Embedding.data<float>().ToArray());

            var result = await host.Services.GetRequiredService<ModelRetrainer>().RetrainAsync();

            Assert.True(result.Succeeded, result.Error);
            float[] after = served.Use(model => ((LightGcn)model).Model.Embedding.data<float>().ToArray());
            Assert.Equal(before.Length, after.Length);
            double largestChange = before.Zip(after).Max(pair => Math.Abs(pair.First - pair.Second));
            Assert.True(warm ? largestChange < 1e-6 : largestChange > 1e-3, $"largest change of a layer-0 value: {largestChange}");
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_source_that_fails_logs_one_error_and_the_served_model_stays()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var (host, events, log) = await StartAsync(path);
        using (host)
        {
            var served = host.Services.GetRequiredService<ServedModel>();
            var before = served.Use(model => model.Recommend(1, 5).Select(r => r.ItemIndex).ToArray());
            events.Failure = new InvalidOperationException("the database is down");

            var result = await host.Services.GetRequiredService<ModelRetrainer>().RetrainAsync();

            Assert.False(result.Succeeded);
            Assert.Equal("the database is down", result.Error);
            Assert.Equal(1, served.Generation);
            Assert.Equal(before, served.Use(model => model.Recommend(1, 5).Select(r => r.ItemIndex).ToArray()));
            var error = Assert.Single(log.Errors);
            Assert.Contains("the database is down", error, StringComparison.Ordinal);
            Assert.Contains("model 1 keeps serving", error, StringComparison.Ordinal);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Training_that_diverges_logs_one_error_and_leaves_the_served_file_as_it_was()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        byte[] file = await File.ReadAllBytesAsync(path);
        var (host, _, log) = await StartAsync(path, o => o.LightGcn = new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 2, BatchSize = 64, LearningRate = 1e30 });
        using (host)
        {
            var result = await host.Services.GetRequiredService<ModelRetrainer>().RetrainAsync();

            Assert.False(result.Succeeded);
            Assert.Single(log.Errors);
            Assert.Equal(file, await File.ReadAllBytesAsync(path));
            Assert.Equal(1, host.Services.GetRequiredService<ServedModel>().Generation);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_served_graph_filter_is_fitted_again_with_its_own_options()
    {
        var dataset = ModelFiles.Dataset();
        string path = Path.Combine(_files.Folder, "filter.graphrec");
        using (var filter = SpectralFilter.Fit(dataset, dataset.Split(Splitters.RandomHoldout(0.2, seed: 1)), new SpectralFilterOptions { Rank = 8 }))
        {
            await filter.SaveAsync(path);
        }

        var (host, events, _) = await StartAsync(path);
        using (host)
        {
            events.WithNewcomers = true;

            var result = await host.Services.GetRequiredService<ModelRetrainer>().RetrainAsync();

            Assert.True(result.Succeeded, result.Error);
            var served = host.Services.GetRequiredService<ServedModel>();
            Assert.Equal("gf-cf", served.Use(model => model.ModelKind));
            Assert.Equal(5, served.Use(model => model.Recommend(41, 5)).Count);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task An_interval_retrains_on_its_own()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var (host, events, _) = await StartAsync(path, o => o.Interval = TimeSpan.FromSeconds(1));
        using (host)
        {
            var served = host.Services.GetRequiredService<ServedModel>();
            events.WithNewcomers = true;
            for (int wait = 0; wait < 600 && served.Generation < 2; wait++)
            {
                await Task.Delay(100);
            }

            Assert.True(served.Generation >= 2, "no retrain within a minute of a one-second interval");
            Assert.Equal(5, served.Use(model => model.Recommend(41, 5)).Count);
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("interval", "RetrainingOptions.Interval is 00:00:00.5000000: give at least one second")]
    [InlineData("folder", "is a folder: give a file path")]
    [InlineData("epochs", "RetrainingOptions.LightGcn: ")]
    public async Task Options_out_of_range_stop_the_host_at_start_naming_the_option(string mistake, string expected)
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(path, o =>
        {
            switch (mistake)
            {
                case "interval": o.Interval = TimeSpan.FromMilliseconds(500); break;
                case "folder": o.ModelPath = _files.Folder; break;
                default: o.LightGcn = new LightGcnOptions { Epochs = 0 }; break;
            }
        }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_event_source_the_host_says_what_to_register()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGraphRecRecommender(o => o.ModelPath = path);
        builder.Services.AddGraphRecRetraining(_ => { });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("none is registered", error.Message, StringComparison.Ordinal);
    }
}
