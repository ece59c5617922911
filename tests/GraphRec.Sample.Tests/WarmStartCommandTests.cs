namespace GraphRec.Sample.Tests;

/// <summary><c>train --warm-start</c>: a model trained, then retrained from it on more data.</summary>
public sealed class WarmStartCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-warm-start-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Train_from_a_previous_model_file_writes_a_model_that_knows_the_new_users()
    {
        var all = SmallMovieLens.TwoGroups().ToArray();
        string before = SmallMovieLens.Write(Path.Combine(_folder, "before"), all.Where(r => r.User <= 36), 30);
        string now = SmallMovieLens.Write(Path.Combine(_folder, "now"), all, 30);
        string first = Path.Combine(_folder, "first"), second = Path.Combine(_folder, "second");
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", before, "--dim", "8", "--epochs", "2", "--output", first]));

        int exit = await Cli.RunAsync(["train", "--data-dir", now, "--dim", "8", "--epochs", "2", "--warm-start", Path.Combine(first, "model.graphrec"), "--output", second]);
        Assert.Equal(0, await Cli.RunAsync(["train", "--data-dir", now, "--dim", "8", "--epochs", "2", "--output", Path.Combine(_folder, "cold")]));

        Assert.Equal(0, exit);
        // The same options from scratch give another model: the previous one was used.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_folder, "cold", "model.graphrec")), File.ReadAllBytes(Path.Combine(second, "model.graphrec")));
        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", Path.Combine(second, "model.graphrec"), "--user", "40", "--k", "3"]));
        Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", Path.Combine(first, "model.graphrec"), "--user", "40", "--k", "3"]));
    }

    [Fact]
    public async Task A_previous_model_of_another_dimension_names_the_dim_to_pass()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string first = Path.Combine(_folder, "first");
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "1", "--output", first]));
        var (exit, errors, _) = await HostileUseTests.RunAsync(
            "--data-dir", data, "--dim", "16", "--epochs", "1", "--warm-start", Path.Combine(first, "model.graphrec"), "--output", Path.Combine(_folder, "b"));

        Assert.Equal(1, exit);
        Assert.Contains("pass --dim 8", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warm_start_for_a_graph_filter_is_a_usage_error()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);

        Assert.Equal(1, await Cli.RunAsync(["--data-dir", data, "--model", "gf-cf", "--warm-start", Path.Combine(_folder, "none.graphrec"), "--output", Path.Combine(_folder, "b")]));
    }
}
