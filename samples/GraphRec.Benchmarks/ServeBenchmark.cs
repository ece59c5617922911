using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GraphRec.Benchmarks;

/// <summary>What the load benchmark measured.</summary>
internal sealed record ServeReport(
    string Machine, string Dataset, int Users, int Items, int Clients, double Seconds, long Requests, long Errors, double RequestsPerSecond,
    double P50Ms, double P99Ms, double MaxMs, bool Reloaded, double ReloadAtSeconds, int GenerationAfter,
    double WorkingSetFirst10sMb, double WorkingSetLast10sMb, double WorkingSetChangePercent, IReadOnlyList<double> WorkingSetMbPerSecond);

/// <summary>
/// The server sample on real Kestrel at 127.0.0.1 (port chosen by the system), under a closed-loop load of
/// <c>clients</c> concurrent <see cref="HttpClient"/> loops asking random users' top 10, for a fixed time; halfway through
/// the model file is replaced, so the server reloads it under load. Client and server share this process and its cores.
/// </summary>
internal static class ServeBenchmark
{
    public static async Task<int> RunAsync(string dataDirectory, string datasetName, int clients, int seconds, int epochs, string output, CancellationToken cancellationToken)
    {
        seconds = Math.Clamp(seconds, 20, 60);
        string folder = Directory.CreateTempSubdirectory("graphrec-serve-").FullName;
        try
        {
            string modelPath = Path.Combine(folder, "model.graphrec");
            var (users, items) = await TrainAsync(dataDirectory, datasetName, epochs, modelPath, cancellationToken);
            Console.WriteLine($"{datasetName}: serving {users:N0} users x {items:N0} items with {clients} clients for {seconds} s");

            await using var app = ServerApp.Build(
                ["--model", modelPath, "--urls", "http://127.0.0.1:0"],
                builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
            await app.StartAsync(cancellationToken);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
            var userIdOfIndex = await UserIdsAsync(modelPath);

            // Warm-up: JIT, connections and the first allocations are not measured.
            await LoadAsync(http, userIdOfIndex, clients, TimeSpan.FromSeconds(3), [], cancellationToken);

            var workingSet = new List<double>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var sampling = SampleWorkingSetAsync(workingSet, stop.Token);
            var clock = Stopwatch.StartNew();
            double reloadAt = seconds / 2.0;
            var reload = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(reloadAt), cancellationToken);
                // What train or SaveAsync does: a complete new file renamed over the served one.
                File.Copy(modelPath, modelPath + ".new", overwrite: true);
                File.Move(modelPath + ".new", modelPath, overwrite: true);
            }, cancellationToken);
            var latencies = new List<double>[clients];
            for (int c = 0; c < clients; c++)
            {
                latencies[c] = new List<double>(1 << 16);
            }

            long errors = await LoadAsync(http, userIdOfIndex, clients, TimeSpan.FromSeconds(seconds), latencies, cancellationToken);
            double elapsed = clock.Elapsed.TotalSeconds;
            await reload;
            await sampling;
            int generation = (await http.GetFromJsonAsync<ModelResponse>("/model", cancellationToken))!.Generation;
            await app.StopAsync(cancellationToken);

            var all = latencies.SelectMany(l => l).Order().ToArray();
            double first = workingSet.Take(10).Average(), last = workingSet.TakeLast(10).Average();
            var report = new ServeReport(
                Machine.Describe(), datasetName, users, items, clients, elapsed, all.Length + errors, errors, all.Length / elapsed,
                Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? 0 : all[^1], generation == 2, reloadAt, generation,
                first, last, 100 * ((last / first) - 1), workingSet);
            Console.WriteLine($"{report.RequestsPerSecond:N0} requests/s, p50 {report.P50Ms:F2} ms, p99 {report.P99Ms:F2} ms, max {report.MaxMs:F1} ms, {errors} errors");
            Console.WriteLine($"reloaded at {reloadAt:F0} s: {(report.Reloaded ? "yes, model 2 served" : $"NO (model {generation})")}");
            Console.WriteLine($"working set: first 10 s {first:F0} MB, last 10 s {last:F0} MB ({report.WorkingSetChangePercent:+0.0;-0.0}%)");
            await Report.WriteAsync(output, report, cancellationToken);
            return errors == 0 && report.Reloaded ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record ModelResponse(int Generation);

    /// <summary>Trains a model to serve (its accuracy does not matter here, its size does) and saves it.</summary>
    private static async Task<(int Users, int Items)> TrainAsync(string dataDirectory, string datasetName, int epochs, string path, CancellationToken cancellationToken)
    {
        var dataset = datasetName == "gowalla"
            ? await EdgeListProvider.FromFolder(Path.Combine(dataDirectory, "gowalla")).LoadAsync(cancellationToken)
            : await new MovieLensProvider(MovieLensRelease.FromName(datasetName), new MovieLensOptions { DataDirectory = dataDirectory, AllowDownload = false }).LoadAsync(cancellationToken);
        var split = dataset.PredefinedSplit ?? dataset.Split(Splitters.RandomHoldout(0.2, seed: 2020));
        var options = new LightGcnOptions { Epochs = epochs, BatchSize = datasetName == "gowalla" ? 2048 : 1024 };
        using var model = LightGcn.Train(dataset, split, options, cancellationToken: cancellationToken);
        await model.SaveAsync(path, cancellationToken);
        return (dataset.Users.Count, dataset.Items.Count);
    }

    private static async Task<string[]> UserIdsAsync(string path)
    {
        using var model = await LightGcn.LoadAsync(path);
        return [.. model.Users.Ids.Select(Uri.EscapeDataString)];
    }

    /// <summary>Runs <paramref name="clients"/> closed loops for <paramref name="duration"/>; returns the failed requests.</summary>
    private static async Task<long> LoadAsync(HttpClient http, string[] userIds, int clients, TimeSpan duration, List<double>[] latencies, CancellationToken cancellationToken)
    {
        long errors = 0;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var random = new Random(c + 1);
            var record = latencies.Length > c ? latencies[c] : null;
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                long started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.GetAsync(new Uri($"/users/{userIds[random.Next(userIds.Length)]}/recommendations?count=10", UriKind.Relative), cancellationToken);
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                record?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }, cancellationToken));
        await Task.WhenAll(loops);
        return errors;
    }

    private static async Task SampleWorkingSetAsync(List<double> samples, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                samples.Add(Machine.WorkingSetMegabytes());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
