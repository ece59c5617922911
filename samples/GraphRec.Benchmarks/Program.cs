// GraphRec benchmarks. Each command prints its figures and writes them as JSON (see docs/benchmarks.md):
//   gowalla   train and evaluate LightGCN on Gowalla with the paper's hyperparameters
//   loading   generate ML-1M and ml-25m-sized files and time loading them
//   ingest    synthetic events with string ids from CSV, SQLite and PostgreSQL into a dataset, next to the edge-list reader
//   memory    working set over 20 epochs on MovieLens 100K
//   scale     training, evaluation and memory on synthetic Gowalla-shaped graphs of growing size, with fitted exponents (--model gf-cf: GF-CF's)
//   phases    where a Gowalla training batch spends its time
//   replay    a reference LightGCN run's initial embeddings and triples through GraphRec's training step
//   warm-start  LightGCN retrained on new events from a previous model (warm) and from scratch (cold), next to GF-CF's refit
//   converge  Gowalla's test accuracy every few epochs of a long run, resumable across sessions
//   converge-plot  several converge reports' Recall@20 curves in one PNG by epoch and one by hours of training
//   serve     the server sample on Kestrel at 127.0.0.1 under a closed-loop HTTP load, with a hot reload halfway
//   micro     BenchmarkDotNet micro-benchmarks (sparse product, sampler, evaluator); the arguments after it go to BenchmarkDotNet
using System.CommandLine;
using System.Globalization;
using BenchmarkDotNet.Running;
using GraphRec.Benchmarks;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "micro")
{
    // In process: a separately generated benchmark project would not carry TorchSharp's native libraries (or their fix).
    string[] micro = args.AsSpan(1).Contains("--inProcess") ? args[1..] : ["--inProcess", .. args.AsSpan(1)];
    BenchmarkSwitcher.FromAssembly(typeof(Machine).Assembly).Run(micro);
    return 0;
}

string defaultData = Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR") ?? Path.Combine("..", "shared", "datasets");
var dataDir = new Option<string>("--data-dir") { Description = "Folder holding gowalla/ and ml-100k/ (default: GRAPHREC_DATA_DIR, else ../shared/datasets).", DefaultValueFactory = _ => defaultData };
var threads = new Option<int>("--threads") { Description = "Threads for the kernel, the sampler and libtorch (0: all cores).", DefaultValueFactory = _ => 0 };
var epochs = new Option<int>("--epochs") { Description = "Epochs to train." };
var seed = new Option<int>("--seed") { Description = "Seed of the initial embeddings and the sampler.", DefaultValueFactory = _ => 2020 };
var sampler = new Option<string>("--sampler")
{
    Description = "interaction: every training interaction once per epoch (Samplers.EveryInteraction); user: users drawn uniformly, as the paper's reference code does (Samplers.UniformUsers).",
    DefaultValueFactory = _ => "interaction",
};
sampler.AcceptOnlyFromAmong("interaction", "user");
var output = new Option<string>("--output") { Description = "Where to write the JSON report." };
var workDir = new Option<string>("--work-dir") { Description = "Scratch folder for the generated files.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "graphrec-loading") };
var csvLines = new Option<long>("--csv-lines") { Description = "Lines of the generated ratings.csv.", DefaultValueFactory = _ => 25_000_000 };

var model = new Option<string>("--model")
{
    Description = "lightgcn (trained with the paper's hyperparameters), gf-cf (the training-free graph filter), or a spectral filter: bspm, chebycf, "
        + "spectral-gf-cf (GF-CF's recipe as a spectral filter), spectral (the options of --spectral-options).",
    DefaultValueFactory = _ => "lightgcn",
};
model.AcceptOnlyFromAmong("lightgcn", "gf-cf", "bspm", "chebycf", "spectral-gf-cf", "spectral");
var resplit = new Option<int?>("--resplit") { Description = "For the spectral filters: draw Gowalla's split again at random with this seed (each user's test items as many as the paper's split gives it, drawn from all of its items), to compare a uniform holdout with the paper's test." };
var spectralOptions = new Option<string>("--spectral-options") { Description = "For --model spectral: a JSON file of SpectralFilterOptions (as the tune command writes)." };
var sampleUsers = new Option<int?>("--eval-users") { Description = "With --model gf-cf: also evaluate this many test users drawn at random, once per seed, against the full evaluation." };
var sampleSeeds = new Option<int>("--eval-seeds") { Description = "With --eval-users: the seeds 1 to this.", DefaultValueFactory = _ => 5 };
var gowalla = new Command("gowalla", "Train and evaluate LightGCN (or prepare a training-free filter) on Gowalla with the paper's hyperparameters.")
{
    dataDir, threads, epochs, seed, sampler, model, spectralOptions, resplit, output, sampleUsers, sampleSeeds,
};
gowalla.SetAction((parse, token) =>
{
    int resolved = ApplyThreads(parse.GetValue(threads));
    if (parse.GetValue(model) is "bspm" or "chebycf" or "spectral-gf-cf" or "spectral")
    {
        string name = parse.GetValue(model)!;
        var options = name switch
        {
            "bspm" => GraphRec.Core.SpectralFilterOptions.Bspm(),
            "chebycf" => GraphRec.Core.SpectralFilterOptions.ChebyCf(),
            "spectral-gf-cf" => GraphRec.Core.SpectralFilterOptions.GfCf(),
            // Strict, so that a key naming no option is an error rather than a silently different filter.
            _ => System.Text.Json.JsonSerializer.Deserialize<GraphRec.Core.SpectralFilterOptions>(File.ReadAllText(
                parse.GetValue(spectralOptions) ?? throw new ArgumentException("--model spectral needs --spectral-options FILE.")),
                new System.Text.Json.JsonSerializerOptions { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })!,
        };
        return GowallaBenchmark.RunSpectralFilterAsync(Path.Combine(parse.GetValue(dataDir)!, "gowalla"), name, options, parse.GetValue(resplit),
            parse.GetValue(output) ?? $"benchmark-gowalla-{name}.json", token);
    }

    if (parse.GetValue(resplit) is not null)
    {
        throw new ArgumentException($"--resplit applies to the spectral filters (--model bspm, chebycf, spectral-gf-cf or spectral), not to --model {parse.GetValue(model)}.");
    }

    if (parse.GetValue(model) == "gf-cf" && parse.GetValue(sampleUsers) is int users)
    {
        return GowallaBenchmark.RunSampledEvaluationAsync(Path.Combine(parse.GetValue(dataDir)!, "gowalla"), users, parse.GetValue(sampleSeeds),
            parse.GetValue(output) ?? "benchmark-gowalla-sampled-evaluation.json", token);
    }

    if (parse.GetValue(model) == "gf-cf")
    {
        return GowallaBenchmark.RunGraphFilterAsync(Path.Combine(parse.GetValue(dataDir)!, "gowalla"), parse.GetValue(output) ?? "benchmark-gowalla-gf-cf.json", token);
    }

    return GowallaBenchmark.RunAsync(Path.Combine(parse.GetValue(dataDir)!, "gowalla"), parse.GetValue(epochs) is int e and > 0 ? e : 1, resolved,
        parse.GetValue(seed), parse.GetValue(sampler)!, parse.GetValue(output) ?? "benchmark-gowalla.json", token);
});

var heldOut = new Option<double>("--held-out") { Description = "The fraction of each training user's items held out as validation (users with 2 or more; at least one each); 0: one item per user (leave-one-out, the default), so that the filter is fitted to nearly all of train, as it is for test." };
var validationUsers = new Option<int?>("--validation-users") { Description = "Validation users ranked per configuration, drawn at random (default: all of them)." };
var passes = new Option<int>("--passes") { Description = "Passes of the coordinate search (at most 5: β = 0.4, 0.3, 0.5, then a = 0.6, then around the best).", DefaultValueFactory = _ => 5 };
var standIn = new Option<int?>("--stand-in-test") { Description = "Checks the search itself: sets aside this seed's fifth of each user's training items as a stand-in test, searches on the rest, and ranks the stand-in with ChebyCF's recipe and the chosen filter (test is never used)." };
var chosenOptions = new Option<string>("--options-output") { Description = "Where to write the chosen SpectralFilterOptions.", DefaultValueFactory = _ => "spectral-tuned.json" };
var tune = new Command("tune-spectral", "Choose a spectral filter's hyperparameters on a validation split carved from Gowalla's training interactions (never test).")
{
    dataDir, seed, heldOut, validationUsers, passes, standIn, resplit, chosenOptions, output,
};
tune.SetAction((parse, token) => SpectralTuning.RunAsync(Path.Combine(parse.GetValue(dataDir)!, "gowalla"), parse.GetValue(heldOut), parse.GetValue(validationUsers), parse.GetValue(seed), parse.GetValue(passes), parse.GetValue(standIn), parse.GetValue(resplit),
    parse.GetValue(output) ?? "benchmark-tune-spectral.json", parse.GetValue(chosenOptions)!, token));

var loading = new Command("loading", "Generate ML-1M and ml-25m-format files and time loading them.") { workDir, csvLines, output };
loading.SetAction((parse, token) =>
    LoadingBenchmark.RunAsync(parse.GetValue(workDir)!, parse.GetValue(csvLines), parse.GetValue(output) ?? "benchmark-loading.json", token));

var loadCsv = new Command("load-csv", "Internal: load the generated ml-25m folder and print the figures.") { Hidden = true };
loadCsv.Options.Add(dataDir);
loadCsv.SetAction((parse, token) => LoadingBenchmark.LoadCsvAsync(parse.GetValue(dataDir)!, token));

var events = new Option<long>("--events") { Description = "Synthetic events (Gowalla-shaped) to write once and read from each source.", DefaultValueFactory = _ => 10_000_000 };
var runs = new Option<int>("--runs") { Description = "Reads of each source, each in its own process.", DefaultValueFactory = _ => 3 };
var postgres = new Option<string?>("--postgres")
{
    Description = "Npgsql connection string of the database to write the events table into (default: GRAPHREC_TEST_POSTGRES, which .ci/postgres.sh sets).",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GRAPHREC_TEST_POSTGRES"),
};
var ingestFolder = new Option<string>("--folder") { Description = "Scratch folder for the generated sources (never the repository).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "graphrec-ingest") };
var ingest = new Command("ingest", "Synthetic events with string ids, written once to a CSV file, a SQLite database and a PostgreSQL table, read into a dataset from each "
    + "(seconds and peak working set, each read in its own process), next to the edge-list reader on the same events with integer ids.")
{
    events, runs, postgres, ingestFolder, output,
};
ingest.SetAction((parse, token) => IngestBenchmark.RunAsync(parse.GetValue(ingestFolder)!, parse.GetValue(events), parse.GetValue(runs), parse.GetValue(postgres),
    parse.GetValue(output) ?? "benchmark-ingest.json", token));

var ingestSource = new Option<string>("--source") { Required = true };
ingestSource.AcceptOnlyFromAmong(IngestBenchmark.Sources);
var ingestOne = new Command("ingest-one", "Internal: read one ingest source and print its figures as JSON.") { Hidden = true };
foreach (var option in new Option[] { ingestSource, ingestFolder, events, postgres })
{
    ingestOne.Options.Add(option);
}

ingestOne.SetAction((parse, token) => IngestBenchmark.MeasureOneAsync(parse.GetValue(ingestSource)!, parse.GetValue(ingestFolder)!, parse.GetValue(events),
    parse.GetValue(postgres) ?? "", token));

var memory = new Command("memory", "Working set after each of 20 epochs on MovieLens 100K.") { dataDir, epochs, output };
memory.SetAction((parse, token) =>
    MemoryBenchmark.RunAsync(parse.GetValue(dataDir)!, parse.GetValue(epochs) is int e and > 0 ? e : 20, parse.GetValue(output) ?? "benchmark-memory.json", token));

var dataset = new Option<string>("--dataset") { Description = "ml-100k (also ml-1m, ml-latest-small) or gowalla.", DefaultValueFactory = _ => "ml-100k" };
var clients = new Option<int>("--clients") { Description = "Concurrent closed-loop clients.", DefaultValueFactory = _ => 16 };
var seconds = new Option<int>("--seconds") { Description = "How long to load the server, 20 to 60 s.", DefaultValueFactory = _ => 40 };
var serve = new Command("serve", "The server sample on real Kestrel at 127.0.0.1 under a closed-loop load, with a hot reload halfway.") { dataDir, dataset, clients, seconds, epochs, output };
serve.SetAction((parse, token) => ServeBenchmark.RunAsync(parse.GetValue(dataDir)!, parse.GetValue(dataset)!, parse.GetValue(clients), parse.GetValue(seconds),
    parse.GetValue(epochs) is int e and > 0 ? e : 1, parse.GetValue(output) ?? $"benchmark-serve-{parse.GetValue(dataset)}.json", token));

var sizes = new Option<string>("--sizes") { Description = "Training interactions per size, comma-separated (M = million).", DefaultValueFactory = _ => "1M,5M,20M,50M" };
var denser = new Option<string>("--denser") { Description = "Also this many edges over the first size's users and items (separates memory per edge from per node; 0: none).", DefaultValueFactory = _ => "5M" };
var batches = new Option<int>("--batches") { Description = "Training batches timed per size (after the first); 0: one whole epoch, timed.", DefaultValueFactory = _ => 10 };
var training = new Option<string>("--training")
{
    Description = "exact (every batch propagates the whole graph; the default) or historical (layers 2..K from a propagation made --history-refreshes times per epoch).",
    DefaultValueFactory = _ => "exact",
};
training.AcceptOnlyFromAmong("exact", "historical");
var historyRefreshes = new Option<int>("--history-refreshes") { Description = "With --training historical: whole-graph propagations per epoch.", DefaultValueFactory = _ => 1 };
int HistoryRefreshes(ParseResult parse) => parse.GetValue(training) == "historical" ? parse.GetValue(historyRefreshes) : 0;
var evalUsers = new Option<int>("--eval-users") { Description = "Users ranked per size to time evaluation.", DefaultValueFactory = _ => 1000 };
var repeats = new Option<int>("--runs") { Description = "Runs per size, in turns over the sizes; each size's point is its run of median seconds per epoch.", DefaultValueFactory = _ => 1 };
repeats.Validators.Add(result =>
{
    if (result.GetValue(repeats) < 1)
    {
        result.AddError("--runs must be at least 1.");
    }
});
var from = new Option<string?>("--from") { Description = "Fit and plot the points of an earlier report again, without measuring." };
var scaleModel = new Option<string>("--model") { Description = "lightgcn (training, evaluation, memory) or gf-cf (its preparation, memory and a sampled evaluation).", DefaultValueFactory = _ => "lightgcn" };
scaleModel.AcceptOnlyFromAmong("lightgcn", "gf-cf");
var scale = new Command("scale", "Training, evaluation and memory on synthetic Gowalla-shaped graphs of growing size, each in a child process.")
{
    sizes, denser, batches, evalUsers, output, from, scaleModel, training, historyRefreshes, repeats,
};
scale.SetAction((parse, token) => parse.GetValue(scaleModel) == "gf-cf"
    ? ScaleBenchmark.RunFilterAsync([.. parse.GetValue(sizes)!.Split(',').Select(Count)], parse.GetValue(evalUsers), parse.GetValue(output) ?? "benchmark-scale-gf-cf.json", token)
    : ScaleBenchmark.RunAsync([.. parse.GetValue(sizes)!.Split(',').Select(Count)], Count(parse.GetValue(denser)!),
        parse.GetValue(batches), parse.GetValue(evalUsers), HistoryRefreshes(parse), parse.GetValue(repeats), parse.GetValue(output) ?? "benchmark-scale.json", parse.GetValue(from), token));

var edgesOption = new Option<long>("--edges") { Required = true };
var usersOption = new Option<int?>("--users");
var itemsOption = new Option<int?>("--items");
var scaleOne = new Command("scale-one", "Internal: measure one size and print it as JSON.") { Hidden = true };
var childRefreshes = new Option<int>("--history-refreshes");
foreach (var option in new Option[] { edgesOption, usersOption, itemsOption, batches, evalUsers, scaleModel, childRefreshes })
{
    scaleOne.Options.Add(option);
}

scaleOne.SetAction((parse, token) => Task.FromResult(parse.GetValue(scaleModel) == "gf-cf"
    ? ScaleBenchmark.MeasureFilterOne(parse.GetValue(edgesOption), parse.GetValue(evalUsers), token)
    : ScaleBenchmark.MeasureOne(parse.GetValue(edgesOption), parse.GetValue(usersOption), parse.GetValue(itemsOption), parse.GetValue(batches), parse.GetValue(evalUsers),
        parse.GetValue(childRefreshes), token)));

var evalEvery = new Option<int>("--eval-every") { Description = "Epochs between test evaluations (and checkpoints).", DefaultValueFactory = _ => 10 };
var learningRate = new Option<double>("--lr") { Description = "Adam's learning rate.", DefaultValueFactory = _ => 0.001 };
var milestones = new Option<int[]>("--lr-milestones") { Description = "Epochs after which the learning rate is multiplied by --lr-decay (default: none).", AllowMultipleArgumentsPerToken = true };
var decay = new Option<double>("--lr-decay") { Description = "The factor applied to the learning rate at each milestone.", DefaultValueFactory = _ => 0.1 };
var stateDir = new Option<string>("--state-dir")
{
    Description = "Where the run keeps its checkpoint and curve, and continues from them.",
    DefaultValueFactory = _ => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "graphrec", "converge-gowalla"),
};
var precision = new Option<GraphRec.Core.TrainingPrecision>("--precision")
{
    Description = "How the training step keeps the propagated layers between products: Full (float32, the default) or BFloat16Layers.",
    DefaultValueFactory = _ => GraphRec.Core.TrainingPrecision.Full,
};
var converge = new Command("converge", "Gowalla's test Recall/NDCG@20 every few epochs of a long run with the paper's hyperparameters; resumable.")
{
    dataDir, threads, epochs, evalEvery, sampler, learningRate, milestones, decay, precision, training, historyRefreshes, stateDir, output,
};
converge.SetAction((parse, token) => ConvergeBenchmark.RunAsync(parse.GetValue(dataDir)!, ApplyThreads(parse.GetValue(threads)), parse.GetValue(epochs) is int e and > 0 ? e : 1000,
    parse.GetValue(evalEvery), parse.GetValue(sampler)!, parse.GetValue(learningRate), parse.GetValue(milestones) ?? [], parse.GetValue(decay), parse.GetValue(precision),
    HistoryRefreshes(parse), parse.GetValue(stateDir)!, parse.GetValue(output) ?? "benchmark-converge.json", token));

var reports = new Option<string[]>("--reports") { Description = "Reports the converge benchmark wrote.", Required = true, AllowMultipleArgumentsPerToken = true };
var convergePlot = new Command("converge-plot", "The Recall@20 curves of several converge reports in one PNG by epoch and one (-hours.png) by hours of training.") { reports, output };
convergePlot.SetAction((parse, token) => ConvergeBenchmark.PlotTogetherAsync(parse.GetValue(reports)!, parse.GetValue(output) ?? "converge.png", token));

var phaseBatches = new Option<int>("--batches") { Description = "Training batches to time (after one untimed).", DefaultValueFactory = _ => 100 };
var ownOrder = new Option<bool>("--own-order") { Description = "Train in the nodes' own order instead of the locality order the trainer uses (to compare the two)." };
var phases = new Command("phases", "Where a Gowalla training batch spends its time: forward, loss, backward, Adam.") { dataDir, threads, phaseBatches, ownOrder, precision, output };
phases.SetAction((parse, token) => PhasesBenchmark.RunAsync(Path.Combine(parse.GetValue(dataDir)!, "gowalla"), parse.GetValue(phaseBatches),
    ApplyThreads(parse.GetValue(threads)), parse.GetValue(ownOrder), parse.GetValue(precision), parse.GetValue(output) ?? "benchmark-phases.json", token));

var split = new Option<string>("--split") { Description = "Folder of the split's train.txt and test.txt.", Required = true };
var dump = new Option<string>("--dump") { Description = "Folder that parity/dump_reference.py wrote.", Required = true };
var replayUsers = new Option<int>("--users") { Description = "Users in the reference's run (it prints them).", DefaultValueFactory = _ => 943 };
var replayItems = new Option<int>("--items") { Description = "Items in the reference's run (it prints them).", DefaultValueFactory = _ => 1682 };
var replay = new Command("replay", "GraphRec's training step on a reference run's initial embeddings and triples (parity/dump_reference.py), then its evaluation.") { split, dump, replayUsers, replayItems };
replay.SetAction(parse => ReplayBenchmark.Run(parse.GetValue(split)!, parse.GetValue(dump)!, parse.GetValue(replayUsers), parse.GetValue(replayItems)));

var warmDataset = new Option<string>("--dataset") { Description = "ml-100k or gowalla.", DefaultValueFactory = _ => "ml-100k" };
warmDataset.AcceptOnlyFromAmong("ml-100k", "gowalla");
var warmEvalEvery = new Option<int>("--eval-every") { Description = "Epochs between validations (default: 1 on ml-100k, 5 on gowalla)." };
var warmStart = new Command("warm-start",
    "A previous model on part of the training events, then LightGCN cold and warm-started on all of them: epochs and seconds for the warm start to reach the cold start's validation NDCG@20, test metrics, GF-CF's refit time.")
{
    dataDir, warmDataset, threads, epochs, warmEvalEvery, seed, output,
};
warmStart.SetAction((parse, token) =>
{
    string name = parse.GetValue(warmDataset)!;
    bool isGowalla = name == "gowalla";
    return WarmStartBenchmark.RunAsync(parse.GetValue(dataDir)!, name, parse.GetValue(epochs) is int e and > 0 ? e : isGowalla ? 30 : 100,
        parse.GetValue(warmEvalEvery) is int every and > 0 ? every : isGowalla ? 5 : 1, ApplyThreads(parse.GetValue(threads)), parse.GetValue(seed),
        parse.GetValue(output) ?? $"benchmark-warm-start-{name}.json", token);
});

var root = new RootCommand("GraphRec benchmarks. 'micro [BenchmarkDotNet arguments]' runs the BenchmarkDotNet micro-benchmarks.")
{
    gowalla, tune, loading, loadCsv, ingest, ingestOne, memory, serve, scale, scaleOne, converge, convergePlot, phases, replay, warmStart,
};
GraphRec.Sample.InvariantNumbers.Apply(root);
return await root.Parse(args).InvokeAsync();

static int ApplyThreads(int threads)
{
    int resolved = threads > 0 ? threads : Environment.ProcessorCount;
    TorchSharp.torch.set_num_threads(resolved);
    return resolved;
}

static long Count(string text) =>
    text.EndsWith('M') ? (long)(double.Parse(text[..^1], CultureInfo.InvariantCulture) * 1_000_000) : long.Parse(text, CultureInfo.InvariantCulture);
