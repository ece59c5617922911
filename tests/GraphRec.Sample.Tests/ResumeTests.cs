using System.Text.Json.Nodes;

namespace GraphRec.Sample.Tests;

/// <summary><c>train --resume DIR</c> and <c>--sampler</c>, through the real command.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static JsonNode Metrics(string output) => JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!;

    [Fact]
    public async Task Two_epochs_then_a_resumed_third_give_the_model_of_three_straight_epochs()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string[] common = ["--data-dir", data, "--dim", "8", "--batch-size", "64", "--eval-every", "1", "--threads", "2"];
        string checkpoints = Path.Combine(_folder, "checkpoints");

        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", "3", "--output", Path.Combine(_folder, "straight")]));
        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", "2", "--resume", checkpoints, "--output", Path.Combine(_folder, "first")]));
        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", "3", "--resume", checkpoints, "--output", Path.Combine(_folder, "resumed")]));

        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "straight", "model.graphrec")), File.ReadAllBytes(Path.Combine(_folder, "resumed", "model.graphrec")));
        Assert.Equal(3, Metrics(Path.Combine(_folder, "resumed"))["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_checkpoint_of_other_options_is_one_line_and_exit_code_one()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string checkpoints = Path.Combine(_folder, "checkpoints");
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "1", "--resume", checkpoints, "--output", Path.Combine(_folder, "a")]));

        Assert.Equal(1, await Cli.RunAsync(["--data-dir", data, "--dim", "16", "--epochs", "2", "--resume", checkpoints, "--output", Path.Combine(_folder, "b")]));
    }

    [Fact]
    public async Task The_reference_codes_sampler_is_a_choice_recorded_in_metrics_json()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string output = Path.Combine(_folder, "user");

        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "2", "--sampler", "user", "--output", output]));

        Assert.Equal("user", (string)Metrics(output)["config"]!["sampler"]!);
    }

    [Fact]
    public async Task Bfloat16_layers_are_a_choice_recorded_in_metrics_json_that_trains_another_model()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string full = Path.Combine(_folder, "full"), rounded = Path.Combine(_folder, "bfloat16");

        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "2", "--output", full]));
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "2", "--precision", "bfloat16-layers", "--output", rounded]));

        Assert.Equal("full", (string)Metrics(full)["config"]!["precision"]!);
        Assert.Equal("bfloat16-layers", (string)Metrics(rounded)["config"]!["precision"]!);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(full, "model.graphrec")), File.ReadAllBytes(Path.Combine(rounded, "model.graphrec")));
    }
}
