using System.Text;

namespace GraphRec.Sample.Tests;

/// <summary>
/// Text from the data and the command line is printed as it is: square brackets in a title, an occupation or a path
/// are not the console library's markup, so they neither crash the command nor change what is shown.
/// </summary>
public sealed class ConsoleMarkupTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-markup-").FullName;
    private readonly CapturedConsole _console = new();

    public void Dispose()
    {
        _console.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Two taste groups; item 1 titled with brackets, every user's occupation in brackets.</summary>
    private string Data()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string dataset = Path.Combine(data, "ml-100k");
        var items = File.ReadAllLines(Path.Combine(dataset, "u.item"), Encoding.Latin1);
        items[0] = items[0].Replace("|Movie|", "|Movie [director cut] (1995)|", StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(dataset, "u.item"), items, Encoding.Latin1);
        File.WriteAllText(Path.Combine(dataset, "u.user"), string.Concat(Enumerable.Range(1, 40).Select(u => $"{u}|30|F|[bold]engineer|[red]02139\n")));
        return data;
    }

    [Fact]
    public async Task Brackets_in_a_title_an_occupation_and_the_output_path_are_shown_as_they_are()
    {
        string data = Data();
        string output = Path.Combine(_folder, "run[1]");

        int trained = await Cli.RunAsync(["--data-dir", data, "--epochs", "1", "--dim", "8", "--val-ratio", "0", "--output", output]);

        Assert.Equal(0, trained);
        string shown = _console.Shown;
        Assert.Contains("[bold]engineer", shown, StringComparison.Ordinal);
        Assert.Contains("[red]02139", shown, StringComparison.Ordinal);
        Assert.Contains($"(try: recommend --model {Path.Combine(output, "model.graphrec")} --user 1)", shown, StringComparison.Ordinal);

        string model = Path.Combine(output, "model.graphrec");
        Assert.Equal(0, await Cli.RunAsync(["similar", "--model", model, "--item", "1", "--k", "3"]));
        Assert.Contains("nearest to 1 Movie [director cut] (1995)", _console.Shown, StringComparison.Ordinal);
        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", model, "--items", "1", "--k", "3"]));
        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", model, "--user", "1", "--k", "3"]));
    }
}
