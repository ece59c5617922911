using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GraphRec.Core;
using Spectre.Console;

namespace GraphRec.Sample.Tests;

/// <summary>
/// What a person can type or feed the sample that is wrong, tiny or odd: a one-line error and exit code 1, or, where
/// the input is legitimate, the right result; never a stack trace, a hang or a lost model.
/// </summary>
public sealed class HostileUseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Ml100K(IEnumerable<(int User, int Item, int Rating)> ratings, int items) => SmallMovieLens.Write(_folder, ratings, items);

    /// <summary>Runs the sample and returns its exit code and what it wrote to stderr and to stdout.</summary>
    internal static async Task<(int Code, string Errors, string Output)> RunAsync(params string[] args)
    {
        var (previousError, previousOut, previousConsole) = (Console.Error, Console.Out, AnsiConsole.Console);
        using var errors = new StringWriter();
        using var output = new StringWriter();
        Console.SetError(errors);
        Console.SetOut(output);
        // The console library keeps the writer it first saw: give it this run's, and the previous one back after, so
        // that it never writes to a writer this run has closed.
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        try
        {
            return (await Cli.RunAsync(args), errors.ToString(), output.ToString());
        }
        finally
        {
            Console.SetError(previousError);
            Console.SetOut(previousOut);
            AnsiConsole.Console = previousConsole;
        }
    }

    private static void AssertOneLineError((int Code, string Errors, string Output) result, string expected)
    {
        Assert.Equal(1, result.Code);
        string[] lines = result.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length is 1 or 2, $"expected one error line (and a hint), got:\n{result.Errors}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, result.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Errors, StringComparison.Ordinal);
    }

    private string Output => Path.Combine(_folder, "out");

    /// <summary>The run succeeded and saved its model, and metrics.json says no test interaction was left to rank.</summary>
    private async Task AssertModelKeptWithNothingToRankAsync((int Code, string Errors, string Output) result, int droppedTest)
    {
        Assert.True(result.Code == 0, result.Errors);
        Assert.True(File.Exists(Path.Combine(Output, "model.graphrec")));
        var metrics = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "metrics.json")))!;
        Assert.Null(metrics["test"]);
        Assert.Equal(droppedTest, (int)metrics["dropped_test_interactions"]!);
    }

    [Theory]
    [InlineData("--lr NaN", "--lr must be a finite number; 'NaN' is not one")]
    [InlineData("--lr Infinity", "--lr must be a finite number; 'Infinity' is not one")]
    [InlineData("--lr 1e400", "--lr must be a finite number; '1e400' is not one")]
    [InlineData("--decay NaN", "--decay must be a finite number")]
    [InlineData("--rating-threshold NaN", "--rating-threshold must be a finite number")]
    [InlineData("--threads 100000", "--threads must be from 0 (all cores) to")]
    public async Task Values_that_are_not_numbers_or_are_absurd_are_refused_before_any_work(string arguments, string expected) =>
        AssertOneLineError(await RunAsync(arguments.Split(' ')), expected);

    [Fact]
    public async Task An_empty_model_name_is_a_usage_error() =>
        AssertOneLineError(await RunAsync("recommend", "--model", "", "--user", "1"), "--model needs a file name");

    [Fact]
    public async Task An_output_that_names_a_file_is_refused_before_training()
    {
        string data = Ml100K([(1, 1, 5), (1, 2, 4), (2, 1, 3), (2, 3, 5)], 3);
        string file = Path.Combine(_folder, "taken");
        await File.WriteAllTextAsync(file, "x");

        var result = await RunAsync("--data-dir", data, "--epochs", "1", "--output", file);

        AssertOneLineError(result, "is a file; give a folder");
        Assert.Equal("x", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_resume_folder_that_names_a_file_is_refused_before_training()
    {
        string data = Ml100K([(1, 1, 5), (1, 2, 4), (2, 1, 3), (2, 3, 5)], 3);
        string file = Path.Combine(_folder, "taken");
        await File.WriteAllTextAsync(file, "x");

        var result = await RunAsync("--data-dir", data, "--epochs", "1", "--resume", file, "--output", Output);

        AssertOneLineError(result, $"--resume {file} is a file; give a folder");
        Assert.Equal("x", await File.ReadAllTextAsync(file));
    }

    [Theory]
    [InlineData("--output", "model.graphrec")]
    [InlineData("--output", "metrics.json")]
    [InlineData("--output", "loss.png")]
    [InlineData("--resume", "training.checkpoint")]
    public async Task A_folder_where_the_run_writes_a_file_is_refused_before_training(string option, string name)
    {
        string data = Ml100K([(1, 1, 5), (1, 2, 4), (2, 1, 3), (2, 3, 5)], 3);
        string resume = Path.Combine(_folder, "checkpoints");
        Directory.CreateDirectory(Path.Combine(option == "--output" ? Output : resume, name));

        var result = await RunAsync("--data-dir", data, "--epochs", "1", "--resume", resume, "--output", Output);

        AssertOneLineError(result, $"holds a folder named {name}, where this run writes a file");
        Assert.False(File.Exists(Path.Combine(Output, "model.graphrec")));
    }

    [Fact]
    public async Task A_second_run_on_the_same_output_folder_is_refused_at_once_and_the_first_runs_files_are_untouched()
    {
        string data = Ml100K([(1, 1, 5), (1, 2, 4), (2, 1, 3), (2, 3, 5)], 3);
        Directory.CreateDirectory(Output);
        await File.WriteAllTextAsync(Path.Combine(Output, "metrics.json"), "the first run's");

        using (AtomicFile.LockFolder(Output, "--output")) // what the first run, still training, holds
        {
            var result = await RunAsync("--data-dir", data, "--epochs", "1", "--output", Output);

            AssertOneLineError(result, $"Another run is writing to --output {Output}");
        }

        Assert.Equal("the first run's", await File.ReadAllTextAsync(Path.Combine(Output, "metrics.json")));
        Assert.False(File.Exists(Path.Combine(Output, "model.graphrec")));
    }

    [SkippableFact]
    public async Task A_model_path_linked_to_dev_zero_is_one_line_without_reading_the_device()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero and symbolic links to it are Linux's.");
        string link = Path.Combine(_folder, "model.graphrec");
        File.CreateSymbolicLink(link, "/dev/zero");

        AssertOneLineError(await RunAsync("recommend", "--model", link, "--user", "1"), "not a regular file");
    }

    [Fact]
    public async Task One_user_with_thirty_ratings_trains_and_keeps_the_model_though_no_test_item_can_be_ranked()
    {
        // No other user shares the held-out items, so none of them occurs in train: there is nothing to evaluate.
        string data = Ml100K(Enumerable.Range(1, 30).Select(i => (1, i, 1 + (i % 5))), 40);

        var result = await RunAsync("--data-dir", data, "--epochs", "2", "--dim", "8", "--val-ratio", "0", "--output", Output);

        await AssertModelKeptWithNothingToRankAsync(result, droppedTest: 6);
    }

    [Fact]
    public async Task Exactly_one_test_user_reports_its_metrics_without_significance_tests()
    {
        // Leave-last-out: user 1's latest item is one others have; the other users' latest items are theirs alone.
        var ratings = new List<(int, int, int)>();
        for (int user = 1; user <= 5; user++)
        {
            ratings.AddRange(Enumerable.Range(1, 6).Where(i => user > 1 || i != 6).Select(i => (user, i, 4)));
            ratings.Add(user == 1 ? (1, 6, 5) : (user, 5 + user, 5));
        }

        string data = Ml100K(ratings, 10);

        var result = await RunAsync("--data-dir", data, "--split", "leave-last-out", "--val-ratio", "0", "--epochs", "1", "--dim", "8", "--output", Output);

        Assert.True(result.Code == 0, result.Errors);
        var metrics = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "metrics.json")))!;
        Assert.Equal(1, (int)metrics["test_interactions"]!);
        Assert.InRange((double)metrics["test"]!["recall@10"]!, 0, 1);
    }

    [Fact]
    public async Task A_dataset_whose_ratings_are_all_below_the_threshold_is_one_line()
    {
        string data = Ml100K([(1, 1, 1), (1, 2, 2), (2, 1, 2)], 2);

        AssertOneLineError(await RunAsync("--data-dir", data, "--rating-threshold", "4", "--output", Output), "below the rating threshold");
    }

    [Fact]
    public async Task A_ratings_csv_with_only_its_header_is_one_line()
    {
        string folder = Path.Combine(_folder, "data", "ml-latest-small");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "ratings.csv"), "userId,movieId,rating,timestamp\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "movies.csv"), "movieId,title,genres\n1,A (1995),Drama\n");

        AssertOneLineError(await RunAsync("--dataset", "ml-latest-small", "--data-dir", Path.Combine(_folder, "data"), "--output", Output), "no interactions");
    }

    [Fact]
    public async Task A_catalogue_of_one_item_is_one_line_saying_there_is_nothing_to_train_on()
    {
        string data = Ml100K(Enumerable.Range(1, 10).Select(u => (u, 1, 5)), 1);

        AssertOneLineError(await RunAsync("--data-dir", data, "--epochs", "1", "--output", Output), "nothing to train on");
    }

    [Fact]
    public async Task A_learning_rate_so_large_that_training_diverges_is_one_line_and_saves_no_model()
    {
        string data = Ml100K(Enumerable.Range(1, 20).SelectMany(u => Enumerable.Range(1, 8).Select(i => (u, ((u + i) % 15) + 1, 4))), 15);

        var result = await RunAsync("--data-dir", data, "--epochs", "1", "--lr", "1e38", "--output", Output);

        AssertOneLineError(result, "Training diverged");
        Assert.False(File.Exists(Path.Combine(Output, "model.graphrec")));
    }

    [Fact]
    public async Task A_test_split_with_nothing_left_to_rank_keeps_the_model_and_says_so()
    {
        // Leave-last-out where every user's latest item is one nobody else has: every test interaction is dropped.
        var ratings = new List<(int, int, int)>();
        for (int user = 1; user <= 6; user++)
        {
            ratings.AddRange(Enumerable.Range(1, 5).Select(i => (user, i, 4)));
            ratings.Add((user, 5 + user, 5)); // written last, so the latest
        }

        string data = Ml100K(ratings, 11);

        var result = await RunAsync("--data-dir", data, "--split", "leave-last-out", "--val-ratio", "0", "--epochs", "1", "--dim", "8", "--output", Output);

        await AssertModelKeptWithNothingToRankAsync(result, droppedTest: 6);
    }

    [Fact]
    public async Task A_write_that_fails_half_way_leaves_the_previous_file_whole_and_no_temporary_file()
    {
        string path = Path.Combine(_folder, "metrics.json");
        await File.WriteAllTextAsync(path, "previous");

        await Assert.ThrowsAsync<IOException>(() => OutputFolder.WriteAsync(path, async temporary =>
        {
            await File.WriteAllTextAsync(temporary, "half of the new conte");
            throw new IOException("No space left on device"); // what a full disk says
        }));

        Assert.Equal("previous", await File.ReadAllTextAsync(path));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task Metrics_json_accounts_for_every_interaction()
    {
        var random = new Random(4);
        string data = Ml100K(Enumerable.Range(1, 40).SelectMany(u => Enumerable.Range(1, 30).Where(_ => random.NextDouble() < 0.3).Select(i => (u, i, 4))), 30);

        var result = await RunAsync("--data-dir", data, "--epochs", "1", "--dim", "8", "--val-ratio", "0.2", "--output", Output);

        Assert.True(result.Code == 0, result.Errors);
        var m = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "metrics.json")))!;
        int parts = (int)m["train_interactions"]! + (int)m["validation_interactions"]! + (int)m["test_interactions"]!
            + (int)m["dropped_test_interactions"]! + (int)m["dropped_validation_interactions"]!;
        Assert.Equal((int)m["interactions"]!, parts);
    }

    [Fact]
    public async Task A_temporal_split_where_every_timestamp_is_equal_is_one_line_naming_the_split()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30, timestamp: _ => 880_000_000);

        var result = await RunAsync("--data-dir", data, "--split", "temporal", "--epochs", "1", "--output", Output);

        AssertOneLineError(result, "temporal at quantile 0.8");
        Assert.False(File.Exists(Path.Combine(Output, "model.graphrec")));
    }

    [Theory]
    [InlineData("lightgcn")]
    [InlineData("gf-cf")]
    public async Task A_user_with_no_training_interactions_is_told_the_items_are_the_popular_ones(string model)
    {
        // Temporal split: user 41 rates only after everyone else, so all of its ratings are held out.
        var ratings = SmallMovieLens.TwoGroups().Concat(Enumerable.Range(1, 6).Select(i => (41, i, 5))).ToList();
        string data = Ml100K(ratings, 30);
        Assert.Equal(0, (await RunAsync("train", "--model", model, "--data-dir", data, "--split", "temporal", "--val-ratio", "0", "--epochs", "1", "--dim", "8", "--rank", "4", "--output", Output)).Code);

        var result = await RunAsync("recommend", "--model", Path.Combine(Output, "model.graphrec"), "--user", "41", "--k", "3");

        Assert.Equal(0, result.Code);
        Assert.Contains("user 41 has no training interactions: the 3 most popular items, the same for every such user", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_with_47000_items_train_and_report_PureSVD_as_skipped_with_the_reason()
    {
        // Two users with every item: 94,000 user x item cells, but PureSVD's dense SVD would hold 47,000 x 47,000 item factors.
        const int items = 47_000;
        string data = Ml100K(Enumerable.Range(1, items).SelectMany(i => new[] { (1, i, 4), (2, i, 4) }), items);

        var result = await RunAsync("--data-dir", data, "--epochs", "1", "--dim", "8", "--rank", "4", "--val-ratio", "0", "--output", Output);

        Assert.Equal(0, result.Code);
        Assert.Contains("PureSVD skipped: ", result.Output, StringComparison.Ordinal);
        Assert.Contains("47,000 items", result.Output, StringComparison.Ordinal);
        var metrics = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "metrics.json")))!;
        Assert.NotNull(metrics["test"]);
        Assert.Null(metrics["baselines"]!["pure_svd"]);
    }
}
