using GraphRec.Metrics;

namespace GraphRec.Core.Tests;

/// <summary>Comparisons of whole evaluations.</summary>
internal static class RankingAssert
{
    /// <summary>The same users, per-user values, means, intervals and coverage.</summary>
    public static void SameFigures(RankingEvaluation expected, RankingEvaluation actual)
    {
        Assert.Equal(expected.Users, actual.Users);
        Assert.Equal(expected.Summaries.Keys.Order(), actual.Summaries.Keys.Order());
        foreach (var (key, summary) in expected.Summaries)
        {
            Assert.Equal(summary, actual.Summaries[key]);
            Assert.Equal(expected.PerUser[key], actual.PerUser[key]);
        }

        Assert.Equal(expected.Coverage, actual.Coverage);
    }
}
