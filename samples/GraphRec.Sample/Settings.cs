using System.CommandLine;
using System.Globalization;
using GraphRec.Data;

namespace GraphRec.Sample;

/// <summary>Which dataset to load and how.</summary>
internal sealed record DataSettings(string Dataset, string? DataDirectory, string? TrainFile, string? TestFile, float? RatingThreshold)
{
    /// <summary>The events file, for <c>--dataset csv</c>.</summary>
    public string? EventsFile { get; init; }

    /// <summary>The columns to read, for <c>--dataset csv</c> and <c>--dataset sql</c>.</summary>
    public InteractionColumns Columns { get; init; } = new("user_id", "item_id");

    /// <summary>sqlite or postgres, for <c>--dataset sql</c>.</summary>
    public string? Provider { get; init; }

    /// <summary>The ADO.NET connection string, for <c>--dataset sql</c>.</summary>
    public string? Connection { get; init; }

    /// <summary>The query whose rows are the events, for <c>--dataset sql</c>.</summary>
    public string? Query { get; init; }
}

/// <summary>How to split it.</summary>
internal sealed record SplitSettings(string Split, double TestRatio, double ValidationRatio, int Seed);

/// <summary>Everything <c>train</c> needs.</summary>
internal sealed record TrainSettings(
    DataSettings Data, SplitSettings Split, int Dimension, int Layers, int Epochs, int BatchSize, double LearningRate, double Decay,
    int EvaluateEvery, int? Patience, int Threads, IReadOnlyList<int> Cutoffs, string Output, string Sampler = "user",
    string? ResumeDirectory = null, int CheckpointEvery = 10, string Model = "lightgcn", int Rank = 256, double Alpha = 0.3,
    IReadOnlyList<int>? LearningRateMilestones = null, double LearningRateDecay = 0.1, string Precision = "full", string? SpectralOptions = null,
    EvaluationSample? EvalSample = null, string? WarmStart = null, string Training = "exact", int HistoryRefreshes = 1)
{
    /// <summary><see cref="GraphRec.Core.LightGcnOptions.HistoryRefreshesPerEpoch"/>: 0 for exact training.</summary>
    public int HistoryRefreshesPerEpoch => Training == "historical" ? HistoryRefreshes : 0;
}

/// <summary>A random sample of the test users to evaluate instead of all of them (<c>--eval-users</c>, <c>--eval-seed</c>).</summary>
internal sealed record EvaluationSample(int Users, int Seed);

/// <summary>The data options, added to a command.</summary>
internal sealed class DataOptions
{
    public static readonly string[] Datasets = ["ml-100k", "ml-1m", "ml-latest-small", "ml-20m", "ml-25m", "edgelist", "csv", "sql"];

    private readonly Option<string> _dataset = new("--dataset")
    {
        Description = "ml-100k, ml-1m, ml-latest-small (also ml-20m, ml-25m), edgelist (with --train and --test), "
            + "csv (your events file: --file, --user-column, --item-column), or sql (your database: --provider, --connection, --query).",
        DefaultValueFactory = _ => "ml-100k",
    };

    private readonly Option<string?> _dataDir = new("--data-dir")
    {
        Description = "Where the dataset's archive or folder is (default: GRAPHREC_DATA_DIR, else ~/.cache/graphrec; downloaded there if absent).",
    };

    private readonly Option<string?> _train = new("--train") { Description = "Edge-list training file (user item item ...), for --dataset edgelist." };
    private readonly Option<string?> _test = new("--test") { Description = "Edge-list test file, for --dataset edgelist." };
    private readonly Option<float?> _threshold = new("--rating-threshold") { Description = "Keep ratings at or above this as positives (default: every rating)." };
    private readonly Option<string?> _file = new("--file") { Description = "Events file with a header line, CSV (TSV when it ends in .tsv), for --dataset csv." };
    private readonly Option<string> _userColumn = new("--user-column") { Description = "Column of user ids (text or integers), for --dataset csv and sql.", DefaultValueFactory = _ => "user_id" };
    private readonly Option<string> _itemColumn = new("--item-column") { Description = "Column of item ids (text or integers), for --dataset csv and sql.", DefaultValueFactory = _ => "item_id" };
    private readonly Option<string?> _ratingColumn = new("--rating-column") { Description = "Column of ratings, for --dataset csv and sql (default: none, every event is an interaction)." };
    private readonly Option<string?> _timeColumn = new("--time-column") { Description = "Column of event times (date and time, or seconds since 1970), for --dataset csv and sql (default: none)." };
    private readonly Option<string?> _titleColumn = new("--title-column") { Description = "Column of item titles, shown next to recommendations, for --dataset csv and sql (default: none)." };
    private readonly Option<string?> _provider = new("--provider") { Description = "sqlite or postgres, for --dataset sql." };
    private readonly Option<string?> _connection = new("--connection") { Description = "ADO.NET connection string, such as \"Data Source=shop.db\" or \"Host=localhost;Database=shop;Username=me;Password=...\", for --dataset sql." };
    private readonly Option<string?> _query = new("--query") { Description = "The query whose rows are the events, such as \"select customer, sku from orders\", for --dataset sql." };

    public DataOptions(Command command)
    {
        _dataset.AcceptOnlyFromAmong(Datasets);
        command.Options.Add(_dataset);
        command.Options.Add(_dataDir);
        command.Options.Add(_train);
        command.Options.Add(_test);
        _threshold.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && Cli.TryGetValue(result, out float threshold) && !float.IsFinite(threshold))
            {
                result.AddError($"--rating-threshold must be a number, such as 4; it is {threshold}.");
            }
        });
        command.Options.Add(_threshold);
        _provider.AcceptOnlyFromAmong("sqlite", "postgres");
        foreach (var option in new Option[] { _file, _userColumn, _itemColumn, _ratingColumn, _timeColumn, _titleColumn, _provider, _connection, _query })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            string? dataset = result.GetResult(_dataset) is { Tokens: [{ Value: var name }, ..] } ? name : null;
            bool Given(Option option) => result.GetResult(option) is { Tokens.Count: > 0 };
            string[] sqlOptions = ["--provider", "--connection", "--query"];
            if (dataset == "csv" && !Given(_file))
            {
                result.AddError("--dataset csv needs --file FILE (a CSV with a header line), and --user-column and --item-column unless they are user_id and item_id.");
            }
            else if (dataset == "sql" && !(Given(_provider) && Given(_connection) && Given(_query)))
            {
                result.AddError("--dataset sql needs --provider sqlite|postgres, --connection \"...\" and --query \"select ...\".");
            }

            if (dataset != "csv" && Given(_file))
            {
                result.AddError("--file is for --dataset csv.");
            }

            if (dataset != "sql" && (Given(_provider) || Given(_connection) || Given(_query)))
            {
                result.AddError($"{string.Join(", ", sqlOptions)} are for --dataset sql.");
            }

            if (dataset is not ("csv" or "sql") && new Option[] { _userColumn, _itemColumn, _ratingColumn, _timeColumn, _titleColumn }.Any(Given))
            {
                result.AddError("The column options are for --dataset csv and --dataset sql.");
            }
        });
        command.Validators.Add(result =>
        {
            // Raw tokens, not GetValue: the dataset name may itself be invalid, and that has its own message.
            bool edgeList = result.GetResult(_dataset) is { Tokens: [{ Value: "edgelist" }, ..] };
            bool hasTrain = result.GetResult(_train) is { Tokens.Count: > 0 }, hasTest = result.GetResult(_test) is { Tokens.Count: > 0 };
            bool files = hasTrain || hasTest;
            if (edgeList && !(hasTrain && hasTest))
            {
                result.AddError("--dataset edgelist needs --train FILE and --test FILE.");
            }
            else if (!edgeList && files)
            {
                result.AddError("--train and --test are for --dataset edgelist.");
            }
        });
    }

    public DataSettings Bind(ParseResult parse) =>
        new(parse.GetValue(_dataset)!, parse.GetValue(_dataDir), parse.GetValue(_train), parse.GetValue(_test), parse.GetValue(_threshold))
        {
            EventsFile = parse.GetValue(_file),
            Columns = new InteractionColumns(parse.GetValue(_userColumn)!, parse.GetValue(_itemColumn)!)
            {
                Rating = parse.GetValue(_ratingColumn),
                Timestamp = parse.GetValue(_timeColumn),
                Title = parse.GetValue(_titleColumn),
                Delimiter = parse.GetValue(_file) is { } file && file.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',',
            },
            Provider = parse.GetValue(_provider),
            Connection = parse.GetValue(_connection),
            Query = parse.GetValue(_query),
        };
}

/// <summary>The split options, added to a command.</summary>
internal sealed class SplitOptions
{
    private readonly Option<string> _split = new("--split")
    {
        Description = "random (per user), leave-last-out (each user's latest), temporal (a global time quantile), predefined (edge lists), none (train on every interaction, nothing held out: a model to serve). Default: random, predefined for edgelist.",
    };

    private readonly Option<double> _testRatio = new("--test-ratio") { Description = "Share held out for test (random: per user; temporal: the latest share).", DefaultValueFactory = _ => 0.2 };
    private readonly Option<double> _valRatio = new("--val-ratio") { Description = "Share of train held out for validation, the same way (0: no validation).", DefaultValueFactory = _ => 0.1 };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of the split, the initial embeddings and the sampler.", DefaultValueFactory = _ => 2020 };

    public SplitOptions(Command command)
    {
        _split.AcceptOnlyFromAmong("random", "leave-last-out", "temporal", "predefined", "none");
        _testRatio.Validators.Add(result => Cli.Fraction(result, _testRatio, allowZero: false));
        _valRatio.Validators.Add(result => Cli.Fraction(result, _valRatio, allowZero: true));
        command.Options.Add(_split);
        command.Options.Add(_testRatio);
        command.Options.Add(_valRatio);
        command.Options.Add(_seed);
    }

    public SplitSettings Bind(ParseResult parse) =>
        new(parse.GetValue(_split) ?? "", parse.GetValue(_testRatio), parse.GetValue(_valRatio), parse.GetValue(_seed));
}

/// <summary>All of <c>train</c>'s options, added to a command.</summary>
internal sealed class TrainOptions
{
    // Defaults: the paper's dim, layers and decay; learning rate, batch size and epochs measured on MovieLens 100K (docs/training.md).
    private readonly Option<int> _dim = new("--dim") { Description = "Embedding dimension.", DefaultValueFactory = _ => 64 };
    private readonly Option<int> _layers = new("--layers") { Description = "Propagation layers K.", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 50 };
    private readonly Option<int> _batch = new("--batch-size") { Description = "Triples per batch.", DefaultValueFactory = _ => 1024 };
    private readonly Option<double> _lr = new("--lr") { Description = "Adam's learning rate.", DefaultValueFactory = _ => 0.005 };
    private readonly Option<int[]> _lrMilestones = new("--lr-milestones")
    {
        Description = "Epochs after which the learning rate is multiplied by --lr-decay, ascending, such as 80 (default: one learning rate throughout).",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<double> _lrDecay = new("--lr-decay") { Description = "The factor applied to the learning rate at each of --lr-milestones, more than 0 and at most 1.", DefaultValueFactory = _ => 0.1 };
    private readonly Option<double> _decay = new("--decay") { Description = "L2 weight λ of the BPR loss on the batch's layer-0 embeddings.", DefaultValueFactory = _ => 1e-4 };
    private readonly Option<int> _evalEvery = new("--eval-every") { Description = "Validate every N epochs (with --val-ratio above 0).", DefaultValueFactory = _ => 5 };
    private readonly Option<int?> _patience = new("--patience") { Description = "Stop after this many validations without improvement of recall at the largest K, keeping the best weights (default: never stop early)." };
    private readonly Option<int> _threads = new("--threads") { Description = "Threads for libtorch, the sparse kernel and the sampler (0: all cores).", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _output = new("--output") { Description = "Folder for model.graphrec, metrics.json and the plots.", DefaultValueFactory = _ => "graphrec-output" };
    private readonly Option<string> _sampler = new("--sampler")
    {
        Description = "user (the default): users drawn uniformly, then one of their items, as the paper's reference code does (measured to rank better on MovieLens 100K); interaction: every training interaction once per epoch (the paper's protocol).",
        DefaultValueFactory = _ => "user",
    };

    private readonly Option<string> _precision = new("--precision")
    {
        Description = "full (the default): float32 throughout, the reference code's arithmetic; bfloat16-layers: the propagated layers and their gradients kept in bfloat16 between the CPU training step's products, every sum in float32 (the same measured accuracy, a shorter epoch on some machines and not on others; docs/training.md).",
        DefaultValueFactory = _ => "full",
    };

    private readonly Option<string> _training = new("--training")
    {
        Description = "exact (the default): every batch propagates the whole graph, forward and backward, so an epoch grows with the square of the interactions; historical: layers 2..K from a whole-graph propagation made --history-refreshes times per epoch, each batch propagating only its nodes' sampled first hop and Adam updating only the rows it touched, so an epoch grows nearly linearly (an approximation; docs/scaling.md).",
        DefaultValueFactory = _ => "exact",
    };

    private readonly Option<int> _historyRefreshes = new("--history-refreshes") { Description = "With --training historical: whole-graph propagations per epoch.", DefaultValueFactory = _ => 1 };

    private readonly Option<string?> _resume = new("--resume")
    {
        Description = "Checkpoint folder: training writes its state there every --checkpoint-every epochs and when cancelled (Ctrl-C), and continues from the checkpoint there, if any. A checkpoint of other data or options is refused.",
    };

    private readonly Option<string> _model = new("--model")
    {
        Description = "lightgcn: train LightGCN (next to GF-CF, BSPM, ChebyCF, most-popular and PureSVD); gf-cf: the GF-CF graph filter, fitted without training (--rank, --alpha); "
            + "bspm, chebycf: those spectral filters with their published Gowalla recipes; spectral: the spectral filter of --spectral-options.",
        DefaultValueFactory = _ => "lightgcn",
    };

    private readonly Option<int> _rank = new("--rank") { Description = "GF-CF: singular vectors k of its ideal low-pass filter.", DefaultValueFactory = _ => 256 };
    private readonly Option<double> _alpha = new("--alpha") { Description = "GF-CF: weight α of its ideal low-pass filter.", DefaultValueFactory = _ => 0.3 };

    private readonly Option<string?> _spectralOptions = new("--spectral-options")
    {
        Description = "With --model spectral: a JSON file of SpectralFilterOptions, such as the benchmarks' tune-spectral command writes.",
    };

    private readonly Option<string?> _warmStart = new("--warm-start")
    {
        Description = "A LightGCN model file (a previous run's model.graphrec) to start from: the users and items it knows start from its embeddings, new ones as from scratch; then training runs as usual on the current data.",
    };

    private readonly Option<int> _checkpointEvery = new("--checkpoint-every") { Description = "Epochs between checkpoints, with --resume.", DefaultValueFactory = _ => 10 };
    private readonly DataOptions _data;
    private readonly SplitOptions _split;
    private readonly Option<int[]> _cutoffs;
    private readonly EvaluationSampleOptions _evalSample;

    /// <summary>
    /// More threads than 4 per processor only adds switching: the kernels are memory-bound and libtorch starts an OpenMP
    /// thread for each (100,000 of them hung the process).
    /// </summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    public TrainOptions(Command command)
    {
        _data = new DataOptions(command);
        _split = new SplitOptions(command);
        foreach (var option in new[] { _dim, _layers, _epochs, _batch, _evalEvery })
        {
            option.Validators.Add(result => Cli.Positive(result, option));
            command.Options.Add(option);
        }

        _layers.Validators.Clear();
        _layers.Validators.Add(result =>
        {
            if (Cli.TryGetValue(result, out int layers) && layers < 0)
            {
                result.AddError("--layers must be 0 or more.");
            }
        });
        _lr.Validators.Add(result => Cli.Positive(result, _lr));
        _lrMilestones.Validators.Add(result =>
        {
            // Tokens, not the value: text that is not a number has the parser's own message.
            int[] milestones = [.. result.Tokens.Select(t => int.TryParse(t.Value, CultureInfo.InvariantCulture, out int m) ? m : 0)];
            if (result.Tokens.Count > 0 && result.Tokens.All(t => int.TryParse(t.Value, CultureInfo.InvariantCulture, out _))
                && (milestones.Any(m => m <= 0) || milestones.Zip(milestones.Skip(1)).Any(pair => pair.First >= pair.Second)))
            {
                result.AddError($"--lr-milestones must be positive epochs in ascending order, each once, such as --lr-milestones 80; they are {string.Join(" ", milestones)}.");
            }
        });
        _lrDecay.Validators.Add(result =>
        {
            if (Cli.TryGetValue(result, out double factor) && factor is not (> 0 and <= 1))
            {
                result.AddError($"--lr-decay must be more than 0 and at most 1, such as 0.2; it is {factor}.");
            }
        });
        _decay.Validators.Add(result =>
        {
            if (Cli.TryGetValue(result, out double decay) && !(decay >= 0 && double.IsFinite(decay)))
            {
                result.AddError($"--decay must be a number, 0 or more; it is {decay}.");
            }
        });
        _patience.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && Cli.TryGetValue(result, out int patience) && patience <= 0)
            {
                result.AddError("--patience must be positive.");
            }
        });
        _threads.Validators.Add(result =>
        {
            if (Cli.TryGetValue(result, out int threads) && (threads < 0 || threads > MaxThreads))
            {
                result.AddError($"--threads must be from 0 (all cores) to {MaxThreads} (4 x the {Environment.ProcessorCount} processors here); it is {threads}.");
            }
        });
        _sampler.AcceptOnlyFromAmong("interaction", "user");
        _precision.AcceptOnlyFromAmong("full", "bfloat16-layers");
        _training.AcceptOnlyFromAmong("exact", "historical");
        _historyRefreshes.Validators.Add(result => Cli.Positive(result, _historyRefreshes));
        _model.AcceptOnlyFromAmong("lightgcn", "gf-cf", "bspm", "chebycf", "spectral");
        _rank.Validators.Add(result => Cli.Positive(result, _rank));
        _alpha.Validators.Add(result =>
        {
            if (Cli.TryGetValue(result, out double alpha) && !double.IsFinite(alpha))
            {
                result.AddError($"--alpha must be a number, such as 0.3; it is {alpha}.");
            }
        });
        command.Options.Add(_model);
        command.Options.Add(_rank);
        command.Options.Add(_alpha);
        command.Options.Add(_spectralOptions);
        _checkpointEvery.Validators.Add(result => Cli.Positive(result, _checkpointEvery));
        command.Options.Add(_sampler);
        command.Options.Add(_precision);
        command.Options.Add(_training);
        command.Options.Add(_historyRefreshes);
        command.Options.Add(_resume);
        command.Options.Add(_warmStart);
        command.Options.Add(_checkpointEvery);
        command.Options.Add(_lr);
        command.Options.Add(_lrMilestones);
        command.Options.Add(_lrDecay);
        command.Options.Add(_decay);
        command.Options.Add(_patience);
        command.Options.Add(_threads);
        _cutoffs = Cli.CutoffOption(command);
        _evalSample = new EvaluationSampleOptions(command);
        command.Options.Add(_output);
    }

    public TrainSettings Bind(ParseResult parse) => new(
        _data.Bind(parse), _split.Bind(parse), parse.GetValue(_dim), parse.GetValue(_layers), parse.GetValue(_epochs),
        parse.GetValue(_batch), parse.GetValue(_lr), parse.GetValue(_decay), parse.GetValue(_evalEvery), parse.GetValue(_patience),
        parse.GetValue(_threads), [.. parse.GetValue(_cutoffs)!.Distinct().Order()], parse.GetValue(_output)!, parse.GetValue(_sampler)!,
        parse.GetValue(_resume), parse.GetValue(_checkpointEvery), parse.GetValue(_model)!, parse.GetValue(_rank), parse.GetValue(_alpha),
        parse.GetValue(_lrMilestones) ?? [], parse.GetValue(_lrDecay), parse.GetValue(_precision)!,
        parse.GetValue(_spectralOptions), _evalSample.Bind(parse), parse.GetValue(_warmStart), parse.GetValue(_training)!, parse.GetValue(_historyRefreshes));
}

/// <summary><c>--eval-users</c> and <c>--eval-seed</c>, added to a command that evaluates on the test split.</summary>
internal sealed class EvaluationSampleOptions
{
    private readonly Option<int?> _users = new("--eval-users")
    {
        Description = "Evaluate a random sample of this many test users instead of all of them (faster on large data; the metrics are estimates, with 95% intervals). Default: every test user.",
    };

    private readonly Option<int> _seed = new("--eval-seed") { Description = "Seed of the --eval-users sample: the same seed, split and data give the same users.", DefaultValueFactory = _ => 2020 };

    public EvaluationSampleOptions(Command command)
    {
        _users.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && Cli.TryGetValue(result, out int users) && users <= 0)
            {
                result.AddError($"--eval-users must be positive (the number of test users to evaluate, such as 10000); it is {users}. Leave it out to evaluate every test user.");
            }
        });
        command.Options.Add(_users);
        command.Options.Add(_seed);
    }

    /// <summary>The sample, or null to evaluate every test user.</summary>
    public EvaluationSample? Bind(ParseResult parse) => parse.GetValue(_users) is int users ? new EvaluationSample(users, parse.GetValue(_seed)) : null;
}
