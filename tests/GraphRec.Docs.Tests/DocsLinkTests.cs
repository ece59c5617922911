using System.Text.RegularExpressions;

namespace GraphRec.Docs.Tests;

/// <summary>
/// Every relative link of README.md and docs/*.md leads to a file of the repository and, with a <c>#fragment</c>, to a
/// heading of that page, so that moving a section or a file cannot leave a link behind.
/// </summary>
public sealed partial class DocsLinkTests
{
    /// <summary>The repository's root, found above the test's output folder (the docs link to files the build does not copy).</summary>
    internal static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GraphRec.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No GraphRec.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#+ +(?<title>.+?) *$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N}\- _]")]
    private static partial Regex NotInAnchor();

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    public static IReadOnlySet<string> Anchors(string markdown) =>
        Heading().Matches(FencedBlock().Replace(markdown.ReplaceLineEndings("\n"), ""))
            .Select(m => NotInAnchor().Replace(m.Groups["title"].Value.ToLowerInvariant(), "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The target of every link of a page outside its fenced blocks.</summary>
    public static IEnumerable<string> Links(string markdown) =>
        Link().Matches(FencedBlock().Replace(markdown.ReplaceLineEndings("\n"), "")).Select(match => match.Groups["target"].Value);

    /// <summary>Each relative link of a page that does not resolve, with why.</summary>
    public static IEnumerable<string> BrokenLinks(string root, string page)
    {
        foreach (string target in Links(File.ReadAllText(Path.Combine(root, page))))
        {
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            int hash = target.IndexOf('#', StringComparison.Ordinal);
            string path = hash < 0 ? target : target[..hash];
            string file = path.Length == 0 ? Path.Combine(root, page) : Path.GetFullPath(Path.Combine(root, Path.GetDirectoryName(page)!, path));
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                yield return $"{page}: {target}: no such file";
            }
            else if (hash >= 0 && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(file)).Contains(target[(hash + 1)..]))
            {
                yield return $"{page}: {target}: no such heading";
            }
        }
    }

    [Fact]
    public void Every_relative_link_of_the_readme_and_docs_resolves()
    {
        string root = Root();
        var pages = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path))
            .Prepend("README.md");

        var broken = pages.SelectMany(page => BrokenLinks(root, page)).ToArray();

        Assert.True(broken.Length == 0, string.Join('\n', broken));
    }

    [Fact]
    public void Every_package_readme_exists_and_links_only_to_absolute_addresses()
    {
        // A package page shows PACKAGE.md outside the repository, where a relative link leads nowhere.
        string root = Root();
        string[] packages = ["GraphRec.Core", "GraphRec.Data", "GraphRec.Metrics", "GraphRec.Hosting"];

        var relative = packages
            .Select(package => Path.Combine("src", package, "PACKAGE.md"))
            .SelectMany(page => Links(File.ReadAllText(Path.Combine(root, page)))
                .Where(target => !target.StartsWith("https://", StringComparison.Ordinal))
                .Select(target => $"{page}: {target}"))
            .ToArray();

        Assert.True(relative.Length == 0, string.Join('\n', relative));
    }

    [Fact]
    public void A_link_to_a_missing_file_or_heading_is_reported()
    {
        string root = Directory.CreateTempSubdirectory("graphrec-links-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            File.WriteAllText(Path.Combine(root, "docs", "a.md"), "# Page A\n\n## The `Quick` start, again\n\n[ok](#the-quick-start-again) [ok](b.md) " +
                "[gone](missing.md) [wrong](b.md#nowhere) [ok](b.md#page-b)\n\n```text\n[not a link](in-a-block.md)\n```\n");
            File.WriteAllText(Path.Combine(root, "docs", "b.md"), "# Page B\n");

            var broken = BrokenLinks(root, Path.Combine("docs", "a.md")).ToArray();

            Assert.Equal(["docs/a.md: missing.md: no such file", "docs/a.md: b.md#nowhere: no such heading"], broken);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
