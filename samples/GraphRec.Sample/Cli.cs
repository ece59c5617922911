using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Net.Http;
using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Sample;

/// <summary>The command tree: <c>train</c> (also the default), <c>evaluate</c>, <c>recommend</c>, <c>similar</c>, <c>newusers</c>.</summary>
internal static class Cli
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var parse = Build().Parse(args);
        if (parse.Action is System.CommandLine.Invocation.ParseErrorAction onError)
        {
            // One clear message, not the whole help text.
            onError.ShowHelp = false;
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run with --help to see the commands and options.").ConfigureAwait(false);
            return 1;
        }

        // A closed terminal (SIGHUP) stops a run as Ctrl-C and SIGTERM do, leaving its checkpoint, instead of killing it.
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            hangUp.Cancel();
        });
        return await parse.InvokeAsync(cancellationToken: hangUp.Token).ConfigureAwait(false);
    }

    /// <summary>Parses <paramref name="args"/> as <c>train</c> (explicit or by default): the settings, or the parse errors.</summary>
    internal static (TrainSettings? Settings, IReadOnlyList<string> Errors) ParseTrain(string[] args)
    {
        var root = Build(out var rootTrain, out var train);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            return (null, [.. parse.Errors.Select(e => e.Message)]);
        }

        var options = parse.CommandResult.Command == root ? rootTrain : parse.CommandResult.Command.Name == "train" ? train : null;
        return (options?.Bind(parse), []);
    }

    public static RootCommand Build() => Build(out _, out _);

    private static RootCommand Build(out TrainOptions rootTrain, out TrainOptions trainOptions)
    {
        var root = new RootCommand(
            "GraphRec sample: train LightGCN on MovieLens or an edge-list dataset, evaluate it over the full catalogue next to " +
            "most-popular and PureSVD, save the model, and recommend from it. Without a command, runs 'train'.");
        var rootOptions = rootTrain = new TrainOptions(root);
        root.SetAction((parse, token) => Guard(() => TrainCommand.RunAsync(rootOptions.Bind(parse), token)));

        var train = new Command("train", "Load a dataset, split it, train LightGCN, evaluate on the test split, save the model and a report.");
        var explicitOptions = trainOptions = new TrainOptions(train);
        train.SetAction((parse, token) => Guard(() => TrainCommand.RunAsync(explicitOptions.Bind(parse), token)));

        var evaluate = new Command("evaluate", "Evaluate a saved model on a dataset's test split (the same data and split options as train).");
        var model = ModelOption(evaluate);
        var data = new DataOptions(evaluate);
        var split = new SplitOptions(evaluate);
        var ks = CutoffOption(evaluate);
        var evalSample = new EvaluationSampleOptions(evaluate);
        evaluate.SetAction((parse, token) => Guard(() => EvaluateCommand.RunAsync(
            parse.GetValue(model)!, data.Bind(parse), split.Bind(parse), parse.GetValue(ks)!, evalSample.Bind(parse), token)));

        var recommend = new Command("recommend",
            "A user's top-N from a saved model, with titles, next to items from the user's history; or, with --items, a new user's from the items it interacted with.");
        var recommendModel = ModelOption(recommend);
        var user = new Option<string?>("--user") { Description = "The user's id, as the dataset gives it (such as 196 or cust-17)." };
        var items = new Option<string?>("--items") { Description = "A new user: the ids of the items it interacted with, comma-separated, such as 1,50,181 or SKU-0042,SKU-0050." };
        var count = CountOption();
        recommend.Options.Add(user);
        recommend.Options.Add(items);
        recommend.Options.Add(count);
        recommend.Validators.Add(result =>
        {
            bool hasUser = result.GetResult(user) is not null, hasItems = result.GetResult(items) is not null;
            if (hasUser == hasItems)
            {
                result.AddError("recommend needs --user ID (a user the model knows) or --items ID,ID,... (a new user), one of the two.");
            }
        });
        items.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && ParseIds(result.Tokens[^1].Value) is { Error: { } error })
            {
                result.AddError(error);
            }
        });
        recommend.SetAction((parse, token) => Guard(() => parse.GetValue(user) is string userId
            ? RecommendCommand.RunAsync(parse.GetValue(recommendModel)!, userId, parse.GetValue(count), token)
            : RecommendCommand.ForItemsAsync(parse.GetValue(recommendModel)!, ParseIds(parse.GetValue(items) ?? "").Ids, parse.GetValue(count), token)));

        var similar = new Command("similar", "The items nearest to an item, from a saved model: by the cosine of LightGCN's embeddings, by GF-CF's scores for a user with only that item.");
        var similarModel = ModelOption(similar);
        var item = new Option<string>("--item") { Description = "The item's id, as the dataset gives it (such as 50 or SKU-0042).", Required = true };
        var similarCount = CountOption();
        similar.Options.Add(item);
        similar.Options.Add(similarCount);
        similar.SetAction((parse, token) => Guard(() => RecommendCommand.SimilarAsync(
            parse.GetValue(similarModel)!, parse.GetValue(item)!, parse.GetValue(similarCount), token)));

        var newUsers = new Command("newusers",
            "Measure recommendations for users a model has never seen: hold out a share of the users whole, fit on the rest, give each held-out user the first half of its items and score the second half, next to most-popular.");
        var newUsersData = new DataOptions(newUsers);
        var newUsersSeed = new Option<int>("--seed") { Description = "Seed of the choice of users, the initial embeddings and the sampler.", DefaultValueFactory = _ => 2020 };
        var userShare = new Option<double>("--user-share") { Description = "Share of the users held out whole.", DefaultValueFactory = _ => 0.1 };
        userShare.Validators.Add(result => Fraction(result, userShare, allowZero: false));
        var models = new Option<string>("--model") { Description = "all, lightgcn or gf-cf.", DefaultValueFactory = _ => "all" };
        models.AcceptOnlyFromAmong("all", "lightgcn", "gf-cf");
        var newUsersEpochs = new Option<int>("--epochs") { Description = "LightGCN's training epochs (the sample's defaults otherwise).", DefaultValueFactory = _ => 50 };
        newUsersEpochs.Validators.Add(result => Positive(result, newUsersEpochs));
        var newUsersThreads = new Option<int>("--threads") { Description = "Threads (0: all cores).", DefaultValueFactory = _ => 0 };
        newUsersThreads.Validators.Add(result =>
        {
            if (TryGetValue(result, out int value) && (value < 0 || value > TrainOptions.MaxThreads))
            {
                result.AddError($"--threads must be from 0 (all cores) to {TrainOptions.MaxThreads}; it is {value}.");
            }
        });
        foreach (var option in new Option[] { newUsersSeed, userShare, models, newUsersEpochs, newUsersThreads })
        {
            newUsers.Options.Add(option);
        }

        var newUsersCutoffs = CutoffOption(newUsers);
        newUsers.SetAction((parse, token) => Guard(() => NewUsersCommand.RunAsync(
            newUsersData.Bind(parse), parse.GetValue(newUsersSeed), parse.GetValue(userShare), parse.GetValue(models)!, parse.GetValue(newUsersEpochs),
            parse.GetValue(newUsersThreads), [.. parse.GetValue(newUsersCutoffs)!.Distinct().Order()], token)));

        root.Subcommands.Add(train);
        root.Subcommands.Add(evaluate);
        root.Subcommands.Add(recommend);
        root.Subcommands.Add(similar);
        root.Subcommands.Add(newUsers);
        InvariantNumbers.Apply(root);
        return root;
    }

    /// <summary>
    /// Runs a command; a mistake the user can fix becomes one line on stderr and exit code 1, never a stack trace. The
    /// library's argument errors count among them: the sample passes on what the user gave, and their messages name it.
    /// I/O errors (a full disk, a file that cannot be opened) name their path.
    /// </summary>
    private static async Task<int> Guard(Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception error) when (error is DatasetFormatException or InvalidDataException or KeyNotFoundException or UsageException
            or TrainingDivergedException or HttpRequestException or UnauthorizedAccessException or IOException or ArgumentException
            or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return 130;
        }
    }

    /// <summary>Comma-separated ids, each trimmed: the ids as given, or the line that says what is wrong with the text.</summary>
    internal static (string[] Ids, string? Error) ParseIds(string text)
    {
        string[] ids = text.Split(',', StringSplitOptions.TrimEntries);
        if (ids.All(string.IsNullOrEmpty))
        {
            return ([], "--items needs at least one item id, such as --items 1,50,181 (for a visitor with none, the most popular items are the answer).");
        }

        return ids.Any(string.IsNullOrEmpty)
            ? ([], $"--items takes comma-separated item ids, such as 1,50,181 or SKU-0042,SKU-0050; '{(text.Length > 40 ? text[..40] + "..." : text)}' has an empty one.")
            : (ids, null);
    }

    private static Option<string> ModelOption(Command command)
    {
        var option = new Option<string>("--model") { Description = "The model file written by train (model.graphrec in its --output folder).", Required = true };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[^1].Value))
            {
                result.AddError("--model needs a file name, such as graphrec-output/model.graphrec.");
            }
        });
        command.Options.Add(option);
        return option;
    }

    private static Option<int> CountOption()
    {
        var option = new Option<int>("--k") { Description = "How many items to show.", DefaultValueFactory = _ => 10 };
        option.Validators.Add(result => Positive(result, option));
        return option;
    }

    internal static Option<int[]> CutoffOption(Command command)
    {
        var option = new Option<int[]>("--k")
        {
            Description = "One or more cut-offs K for the metrics.",
            DefaultValueFactory = _ => [10, 20],
            AllowMultipleArgumentsPerToken = true,
        };
        option.Validators.Add(result =>
        {
            // Tokens, not the value: text that is not a number has the parser's own message.
            if (result.Tokens.Count > 0 && result.Tokens.All(t => int.TryParse(t.Value, CultureInfo.InvariantCulture, out _))
                && result.Tokens.Any(t => int.Parse(t.Value, CultureInfo.InvariantCulture) <= 0))
            {
                result.AddError("--k needs one or more positive cut-offs, such as --k 10 20.");
            }
        });
        command.Options.Add(option);
        return option;
    }

    internal static void Positive<T>(OptionResult result, Option<T> option)
        where T : System.Numerics.INumber<T>
    {
        if (TryGetValue(result, out T value) && !(value > T.Zero && T.IsFinite(value)))
        {
            result.AddError($"{option.Name} must be positive; it is {value}.");
        }
    }

    internal static void Fraction(OptionResult result, Option<double> option, bool allowZero)
    {
        if (TryGetValue(result, out double value) && (!(value < 1) || value < 0 || (!allowZero && value == 0)))
        {
            result.AddError($"{option.Name} must be {(allowZero ? "at least 0" : "above 0")} and below 1; it is {value}.");
        }
    }

    /// <summary>The option's value, or false when its text does not parse (the parser reports that itself).</summary>
    internal static bool TryGetValue<T>(OptionResult result, out T value)
        where T : System.Numerics.INumberBase<T>
    {
        if (result.Tokens.Count == 0)
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }

        return InvariantNumbers.TryParse(result.Tokens[^1].Value, out value);
    }
}

/// <summary>A command-line mistake found after parsing (for example an option that does not fit the dataset).</summary>
internal sealed class UsageException(string message) : Exception(message);
