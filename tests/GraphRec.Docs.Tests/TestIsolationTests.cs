namespace GraphRec.Docs.Tests;

/// <summary>
/// A rule of the test suite itself: a test class that counts the bytes the whole process allocates runs in the
/// <c>RunsAlone</c> collection, because beside other tests its budget would fail by chance.
/// </summary>
public sealed class TestIsolationTests
{
    private static bool CountsProcessAllocations(string source) =>
        source.Split('\n').Any(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)
            && line.Contains("GC.GetTotalAllocatedBytes(", StringComparison.Ordinal));

    [Fact]
    public void Every_test_class_that_counts_the_process_allocations_runs_alone()
    {
        string tests = Path.Combine(DocsLinkTests.Root(), "tests");
        char separator = Path.DirectorySeparatorChar;
        var counting = Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .Select(f => (File: f, Source: File.ReadAllText(f)))
            .Where(s => CountsProcessAllocations(s.Source))
            .ToList();

        Assert.NotEmpty(counting);
        var notAlone = counting.Where(s => !s.Source.Contains("[Collection(nameof(RunsAlone))]", StringComparison.Ordinal))
            .Select(s => Path.GetRelativePath(tests, s.File)).ToList();
        Assert.True(notAlone.Count == 0,
            $"These test files count GC.GetTotalAllocatedBytes but their class is not in [Collection(nameof(RunsAlone))]: {string.Join(", ", notAlone)}. "
            + "Add the attribute (tests/Shared/RunsAlone.cs, linked into the project), so that tests running beside them cannot add to what they count.");
    }
}
