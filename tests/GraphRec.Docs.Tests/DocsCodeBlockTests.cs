using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphRec.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md, docs/**/*.md and each package's PACKAGE.md compiles against the built GraphRec assemblies, so the
/// docs cannot drift from the code. A block is a whole program (or a whole file of types) by default; a block opened
/// with <c>```csharp fragment</c> is statements, compiled as the body of an async method; a program opened with
/// <c>```csharp run</c> is cheap enough to run as well, and must run to its end.
/// </summary>
public sealed partial class DocsCodeBlockTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Readme");

    /// <summary>The usings a console project with <c>ImplicitUsings</c> gets, as a reader's new project has them.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => MetadataReference.CreateFromFile(path))]);

    /// <summary>A fenced C# block: the file it is in, the line its code starts at, how it is marked, the code.</summary>
    public sealed record CodeBlock(string File, int Line, bool Fragment, string Code, bool Run = false)
    {
        /// <inheritdoc/>
        public override string ToString() => $"{File}:{Line}";
    }

    [GeneratedRegex(@"^```csharp(?:[ \t]+(?:(?<fragment>fragment)|(?<run>run)))?[ \t]*\n(?<code>.*?)^```[ \t]*$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    /// <summary>Every C# block of the markdown files copied beside the tests (README.md, docs/ and src/*/PACKAGE.md).</summary>
    public static IReadOnlyList<CodeBlock> Blocks() =>
        [.. Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(path => Blocks(Path.GetRelativePath(Root, path), File.ReadAllText(path)))];

    public static IEnumerable<CodeBlock> Blocks(string file, string markdown)
    {
        markdown = markdown.ReplaceLineEndings("\n");
        foreach (Match match in CSharpBlock().Matches(markdown))
        {
            var code = match.Groups["code"];
            int line = markdown.AsSpan(0, code.Index).Count('\n') + 1;
            yield return new CodeBlock(file, line, match.Groups["fragment"].Success, code.Value, match.Groups["run"].Success);
        }
    }

    public static TheoryData<string> BlockNames() => [.. Blocks().Select(block => block.ToString())];

    /// <summary>The errors and warnings of compiling a block, each with the markdown line it is on.</summary>
    public static IReadOnlyList<string> Compile(CodeBlock block) => Compilation(block).GetDiagnostics()
        .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
        .Select(d => d.ToString())
        .ToArray();

    /// <summary>Runs a compiled program block in a scratch folder and returns what it printed.</summary>
    public static string Run(CodeBlock block)
    {
        using var image = new MemoryStream();
        var emitted = Compilation(block).Emit(image);
        Assert.True(emitted.Success, $"{block} does not compile:\n{string.Join('\n', emitted.Diagnostics)}");
        string folder = Directory.CreateTempSubdirectory("graphrec-docs-block-").FullName;
        try
        {
            return ProgramRunner.Run(System.Reflection.Assembly.Load(image.ToArray()), folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CSharpCompilation Compilation(CodeBlock block)
    {
        const string wrapperStart = "internal static class Fragment\n{\n    internal static async Task RunAsync()\n    {\n#line ";
        string source = block.Fragment
            ? $"{wrapperStart}{block.Line} \"{block.File}\"\n{block.Code}#line default\n        await Task.CompletedTask;\n    }}\n}}\n"
            : $"#line {block.Line} \"{block.File}\"\n{block.Code}";
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(source, options, path: block.File);
        bool program = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        return CSharpCompilation.Create(
            "DocsBlock",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, options)],
            References.Value,
            new CSharpCompilationOptions(
                program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                // As the SDK does: TorchSharp is built against .NET 8's reference assemblies, unified with .NET 10's here.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));
    }

    [Theory]
    [MemberData(nameof(BlockNames))]
    public void Every_csharp_block_of_the_readme_and_docs_compiles(string name)
    {
        var block = Blocks().Single(b => b.ToString() == name);

        var diagnostics = Compile(block);

        Assert.True(diagnostics.Count == 0, $"{name} does not compile:\n{string.Join('\n', diagnostics)}\n{block.Code}");
        if (block.Run)
        {
            Assert.NotEmpty(Run(block));
        }
    }

    [Fact]
    public void The_readme_and_docs_have_csharp_blocks_to_check()
    {
        var files = Blocks().Select(block => block.File).Distinct().ToArray();

        Assert.Contains("README.md", files);
        Assert.Equal(4, files.Count(file => file.EndsWith("PACKAGE.md", StringComparison.Ordinal)));
        Assert.Contains(files, file => file.StartsWith("docs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_with_its_markdown_line()
    {
        const string markdown = "# Page\n\nText.\n\n```csharp\nusing GraphRec.Core;\n\nvar options = new LightGcnOptions { Layer = 3 };\n```\n";
        var block = Assert.Single(Blocks("docs/broken.md", markdown));

        var diagnostics = Compile(block);

        Assert.Contains(diagnostics, d => d.Contains("docs/broken.md(8,", StringComparison.Ordinal) && d.Contains("CS0117", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fragment_is_compiled_as_statements_and_still_checked()
    {
        const string good = "```csharp fragment\nvar options = new GraphRec.Core.LightGcnOptions { Layers = 2 };\noptions.Validate();\n```\n";
        const string bad = "```csharp fragment\nvar options = new GraphRec.Core.LightGcnOptions { Layers = \"two\" };\n```\n";

        Assert.Empty(Compile(Assert.Single(Blocks("docs/good.md", good))));
        Assert.NotEmpty(Compile(Assert.Single(Blocks("docs/bad.md", bad))));
    }

    [Fact]
    public void A_run_block_runs_and_a_failing_one_fails_the_test()
    {
        const string markdown = "```csharp run\nConsole.WriteLine(new GraphRec.Data.IdMap([30L, 10L]).GetIndex(30));\n```\n" +
            "```csharp run\nConsole.WriteLine(new GraphRec.Data.IdMap([30L, 10L]).GetIndex(20));\n```\n";
        var blocks = Blocks("docs/run.md", markdown).ToArray();

        Assert.All(blocks, block => Assert.True(block.Run));
        Assert.Equal("1\n", Run(blocks[0]).ReplaceLineEndings("\n"));
        var failure = Assert.Throws<System.Reflection.TargetInvocationException>(() => Run(blocks[1]));
        Assert.IsType<KeyNotFoundException>(failure.InnerException);
    }
}
