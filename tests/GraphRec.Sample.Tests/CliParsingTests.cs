namespace GraphRec.Sample.Tests;

public sealed class CliParsingTests
{
    [Fact]
    public void Train_is_the_default_command_with_the_documented_defaults()
    {
        var (byDefault, errors) = Cli.ParseTrain(["--epochs", "5"]);
        var (explicitly, _) = Cli.ParseTrain(["train", "--epochs", "5"]);

        Assert.Empty(errors);
        Assert.NotNull(byDefault);
        Assert.NotNull(explicitly);
        Assert.Equal(explicitly, byDefault with { Cutoffs = explicitly.Cutoffs, LearningRateMilestones = explicitly.LearningRateMilestones });
        Assert.Equal([10, 20], byDefault!.Cutoffs);
        Assert.Empty(byDefault.LearningRateMilestones!);
        Assert.Equal(5, byDefault.Epochs);
        Assert.Equal("ml-100k", byDefault.Data.Dataset);
        Assert.Equal((64, 3, 1024, 0.005, 1e-4), (byDefault.Dimension, byDefault.Layers, byDefault.BatchSize, byDefault.LearningRate, byDefault.Decay));
        Assert.Equal((0.2, 0.1, 2020), (byDefault.Split.TestRatio, byDefault.Split.ValidationRatio, byDefault.Split.Seed));
        Assert.Null(byDefault.EvalSample); // every test user unless a sample is asked for
        Assert.Equal(0, byDefault.HistoryRefreshesPerEpoch); // exact training
    }

    [Fact]
    public void Every_option_binds()
    {
        var (settings, errors) = Cli.ParseTrain([
            "train", "--dataset", "edgelist", "--train", "a.txt", "--test", "b.txt", "--rating-threshold", "4", "--split", "predefined",
            "--test-ratio", "0.3", "--val-ratio", "0", "--seed", "7", "--dim", "32", "--layers", "2", "--epochs", "9", "--batch-size", "512",
            "--lr", "0.01", "--lr-milestones", "80", "150", "--lr-decay", "0.2", "--decay", "0.001", "--eval-every", "2", "--patience", "3", "--threads", "1", "--k", "5", "50", "--output", "out",
            "--eval-users", "500", "--eval-seed", "3", "--training", "historical", "--history-refreshes", "4"]);

        Assert.Empty(errors);
        Assert.Equal(new DataSettings("edgelist", null, "a.txt", "b.txt", 4f), settings!.Data);
        Assert.Equal(new SplitSettings("predefined", 0.3, 0, 7), settings.Split);
        Assert.Equal((32, 2, 9, 512, 0.01, 0.001, 2, (int?)3, 1), (settings.Dimension, settings.Layers, settings.Epochs, settings.BatchSize,
            settings.LearningRate, settings.Decay, settings.EvaluateEvery, settings.Patience, settings.Threads));
        Assert.Equal([5, 50], settings.Cutoffs);
        Assert.Equal([80, 150], settings.LearningRateMilestones!);
        Assert.Equal(0.2, settings.LearningRateDecay);
        Assert.Equal("out", settings.Output);
        Assert.Equal(new EvaluationSample(500, 3), settings.EvalSample);
        Assert.Equal(4, settings.HistoryRefreshesPerEpoch);
    }

    [Theory]
    [InlineData("--dataset ml-2m", "ml-2m")]
    [InlineData("--epochs 0", "--epochs must be positive")]
    [InlineData("--lr -1", "--lr must be positive")]
    [InlineData("--test-ratio 1", "--test-ratio must be above 0 and below 1")]
    [InlineData("--val-ratio -0.1", "--val-ratio must be at least 0")]
    [InlineData("--k 0", "--k needs one or more positive cut-offs")]
    [InlineData("--dataset edgelist", "--dataset edgelist needs --train FILE and --test FILE")]
    [InlineData("--train a.txt", "--train and --test are for --dataset edgelist")]
    [InlineData("--split sideways", "sideways")]
    [InlineData("--epochs many", "many")]
    [InlineData("--k ten", "ten")]
    [InlineData("--patience 0", "--patience must be positive")]
    [InlineData("--sampler random", "random")]
    [InlineData("--precision half", "half")]
    [InlineData("--training fast", "fast")]
    [InlineData("--history-refreshes 0", "--history-refreshes must be positive")]
    [InlineData("--checkpoint-every 0", "--checkpoint-every must be positive")]
    [InlineData("--lr-milestones 80 50", "--lr-milestones must be positive epochs in ascending order")]
    [InlineData("--lr-milestones 0", "--lr-milestones must be positive epochs in ascending order")]
    [InlineData("--lr-decay 0", "--lr-decay must be more than 0 and at most 1")]
    [InlineData("--lr-decay 2", "--lr-decay must be more than 0 and at most 1")]
    [InlineData("--eval-users 0", "--eval-users must be positive")]
    [InlineData("--eval-users -3", "--eval-users must be positive")]
    public void Bad_values_are_refused_with_a_message_that_names_them(string arguments, string expected)
    {
        var (settings, errors) = Cli.ParseTrain(arguments.Split(' '));

        Assert.Null(settings);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_parse_error_exits_non_zero()
    {
        Assert.Equal(1, await Cli.RunAsync(["--epochs", "-1"]));
        Assert.Equal(1, await Cli.RunAsync(["recommend", "--user", "1"])); // --model is required
    }
}
