using System.Reflection;
using System.Text.RegularExpressions;

namespace GraphRec.Docs.Tests;

/// <summary>
/// The README's library example is <c>samples/GraphRec.QuickStart/Program.cs</c>, byte for byte, so it compiles as
/// pasted (the build compiles that program); on the real MovieLens 100K it prints exactly the output the README shows.
/// </summary>
public sealed partial class ReadmeExampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-readme-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The README's heading over the library example (CI's package smoke test finds the example by it too).</summary>
    private const string QuickstartHeading = "## Quickstart";

    private static string Readme => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme", "README.md"));

    /// <summary>The first block of the given language after the heading.</summary>
    private static string Block(string heading, string language)
    {
        string readme = Readme.ReplaceLineEndings("\n");
        int section = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(section >= 0, $"README.md has no heading '{heading}'");
        var match = FencedBlock().Match(readme, section);
        while (match.Success && match.Groups[1].Value != language)
        {
            match = match.NextMatch();
        }

        Assert.True(match.Success, $"README.md has no {language} block under '{heading}'");
        return match.Groups[2].Value;
    }

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [Fact]
    public void The_readme_library_example_is_the_quick_start_program_byte_for_byte()
    {
        string program = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme", "QuickStart.cs.txt")).ReplaceLineEndings("\n");

        Assert.Equal(program, Block(QuickstartHeading, "csharp"));
    }

    [Fact]
    public void The_example_has_at_most_twelve_lines_of_code_below_its_usings()
    {
        var code = Block(QuickstartHeading, "csharp").Split('\n')
            .Where(line => line.Trim() is { Length: > 0 } text && !text.StartsWith("using GraphRec", StringComparison.Ordinal) && !text.StartsWith("//", StringComparison.Ordinal))
            .ToArray();

        Assert.True(code.Length <= 12, $"{code.Length} lines:\n{string.Join('\n', code)}");
    }

    [SkippableFact]
    public void Real_the_example_prints_the_output_the_readme_shows()
    {
        string? data = Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR");
        Skip.If(data is null || !Directory.Exists(Path.Combine(data, "ml-100k")) && !File.Exists(Path.Combine(data, "ml-100k.zip")),
            "GRAPHREC_DATA_DIR is not set or has no ml-100k: the README example is not run.");
        string output = ProgramRunner.Run(Assembly.Load("graphrec-quickstart"), _folder); // it saves model.graphrec where it runs

        Assert.Equal(Block("It prints:", "text"), output.ReplaceLineEndings("\n"));
        Assert.True(File.Exists(Path.Combine(_folder, "model.graphrec")));
    }
}
