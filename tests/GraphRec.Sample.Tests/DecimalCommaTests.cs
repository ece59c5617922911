using System.CommandLine;
using System.Globalization;

namespace GraphRec.Sample.Tests;

/// <summary>
/// A decimal comma is never read as a thousands separator: <c>--lr 0,005</c> is refused with the spelling that was
/// meant, not run with a learning rate of 5, and <c>--lr 0.005</c> is 0.005 under any culture.
/// </summary>
public sealed class DecimalCommaTests
{
    /// <summary>Every option of every command whose value is a fractional number, with the command it belongs to.</summary>
    public static TheoryData<string, string> FractionalOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in new Command[] { Cli.Build() }.Concat(Cli.Build().Subcommands))
        {
            foreach (var option in command.Options.Where(o => o.ValueType == typeof(double) || o.ValueType == typeof(float) || o.ValueType == typeof(float?) || o.ValueType == typeof(double?)))
            {
                data.Add(command is RootCommand ? "" : command.Name, option.Name);
            }
        }

        return data;
    }

    [Fact]
    public void Every_command_with_fractional_options_is_covered()
    {
        var commands = FractionalOptions().Select(row => (string)row[0]).ToHashSet();

        Assert.Superset(new HashSet<string> { "", "train", "evaluate", "newusers" }, commands);
        Assert.Contains(FractionalOptions(), row => (string)row[1] == "--alpha");
        Assert.Contains(FractionalOptions(), row => (string)row[1] == "--rating-threshold");
    }

    [Theory]
    [MemberData(nameof(FractionalOptions))]
    public void A_decimal_comma_is_refused_with_the_decimal_point_spelling(string command, string option)
    {
        foreach (string culture in new[] { "", "de-DE" })
        {
            var previous = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            try
            {
                string[] args = [.. command.Length > 0 ? [command] : Array.Empty<string>(), option, "0,3"];

                var errors = Cli.Build().Parse(args).Errors.Select(e => e.Message).ToArray();

                Assert.Contains(errors, e => e.Contains($"{option} takes a decimal point and no thousands separator, such as {option} 0.3; '0,3' has a comma.", StringComparison.Ordinal));
            }
            finally
            {
                CultureInfo.CurrentCulture = previous;
            }
        }
    }

    [Theory]
    [InlineData("--lr", "0,005")]
    [InlineData("--alpha", "0,3")]
    [InlineData("--decay", "1,5e-4")]
    public async Task The_sample_exits_with_one_line_instead_of_training_with_a_thousandfold_value(string option, string value)
    {
        var previous = Console.Error;
        using var errors = new StringWriter();
        Console.SetError(errors);
        int code;
        try
        {
            code = await Cli.RunAsync([option, value, "--epochs", "1", "--output", Path.Combine(Path.GetTempPath(), "graphrec-never-written")]);
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Equal(1, code);
        Assert.StartsWith($"error: {option} takes a decimal point", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains(value.Replace(',', '.'), errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    public void A_decimal_point_is_a_decimal_point_under_any_culture(string culture)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var (settings, errors) = Cli.ParseTrain(["--lr", "0.005", "--alpha", "0.3", "--decay", "1.5e-4", "--rating-threshold", "3.5", "--val-ratio", "0.25"]);

            Assert.Empty(errors);
            Assert.Equal((0.005, 0.3, 1.5e-4, 3.5f, 0.25), (settings!.LearningRate, settings.Alpha, settings.Decay, settings.Data.RatingThreshold, settings.Split.ValidationRatio));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
