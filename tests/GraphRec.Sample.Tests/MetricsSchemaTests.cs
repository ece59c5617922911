using System.Text.Json.Nodes;

namespace GraphRec.Sample.Tests;

/// <summary>
/// metrics.json matches its own schema in the runs where there is less to report than usual: nothing left to test,
/// a validation part emptied by the split, one cut-off.
/// </summary>
public sealed class MetricsSchemaTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-schema-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Output => Path.Combine(_folder, "out");

    private async Task<JsonNode> TrainAsync(IEnumerable<(int User, int Item, int Rating)> ratings, int items, params string[] args)
    {
        string data = SmallMovieLens.Write(_folder, ratings, items);
        var previous = Console.Error;
        using var errors = new StringWriter();
        Console.SetError(errors);
        int code;
        try
        {
            code = await Cli.RunAsync(["--data-dir", data, "--epochs", "2", "--eval-every", "1", "--dim", "8", "--output", Output, .. args]);
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.True(code == 0, errors.ToString());
        string path = Path.Combine(Output, "metrics.json");
        MetricsSchema.AssertMatches(path);
        return JsonNode.Parse(await File.ReadAllTextAsync(path))!;
    }

    /// <summary>Six users with five common items first; each user's last two items are <paramref name="secondToLast"/> and <paramref name="last"/> of it.</summary>
    private static List<(int, int, int)> LastTwo(Func<int, int> secondToLast, Func<int, int> last)
    {
        var ratings = new List<(int, int, int)>();
        for (int user = 1; user <= 6; user++)
        {
            ratings.AddRange(Enumerable.Range(1, 5).Select(i => (user, i, 4)));
            ratings.Add((user, secondToLast(user), 4)); // written later, so later in time
            ratings.Add((user, last(user), 5));
        }

        return ratings;
    }

    [Fact]
    public async Task With_nothing_left_to_test_the_baselines_are_empty_as_the_schema_says()
    {
        // Leave-last-out where every user's latest item is its own: every test interaction is dropped.
        var metrics = await TrainAsync(LastTwo(_ => 6, user => 10 + user), 16, "--split", "leave-last-out", "--val-ratio", "0");

        Assert.Null(metrics["test"]);
        Assert.Empty(metrics["baselines"]!.AsObject());
    }

    [Fact]
    public async Task A_validation_part_emptied_by_the_split_is_recorded_as_no_validation_not_as_nan()
    {
        // Leave-last-out for test and validation: the latest items are shared (users 1-3 end on item 7, which users 4-6
        // have earlier, and the other way round with item 6), the second latest are each user's own, so the whole
        // validation part is dropped.
        var ratings = LastTwo(user => 10 + user, user => user <= 3 ? 7 : 6);
        ratings.InsertRange(0, Enumerable.Range(1, 6).Select(user => (user, user <= 3 ? 6 : 7, 3)));

        var metrics = await TrainAsync(ratings, 16, "--split", "leave-last-out", "--val-ratio", "0.1");

        Assert.Equal(0, (int)metrics["validation_interactions"]!);
        Assert.Equal(6, (int)metrics["dropped_validation_interactions"]!);
        Assert.All(metrics["history"]!.AsArray(), epoch => Assert.Null(epoch!["validation"]));
        Assert.NotNull(metrics["test"]);
    }

    [Fact]
    public async Task One_cut_off_with_validation_gives_the_six_validation_metrics_the_schema_allows()
    {
        var metrics = await TrainAsync(SmallMovieLens.TwoGroups(), 30, "--k", "10", "--val-ratio", "0.2");

        var validation = metrics["history"]![1]!["validation"]!.AsObject();
        Assert.Equal(["hit@10", "map@10", "mrr@10", "ndcg@10", "precision@10", "recall@10"], validation.Select(pair => pair.Key).Order(StringComparer.Ordinal));
        Assert.Equal(7, metrics["test"]!.AsObject().Count);
    }
}
