using System.Text.Json;

namespace GraphRec.Metrics.Tests;

public sealed class SerializationTests
{
    [Fact]
    public void An_evaluation_and_a_comparison_survive_a_json_round_trip()
    {
        var builder = new RankingEvaluationBuilder([1, 3], catalogueSize: 10);
        builder.Add(0, [4, 2, 7], [2, 9]);
        builder.Add(1, [1, 3, 5], [5]);
        builder.Add(2, [6, 8, 0], [0, 6, 8]);
        builder.AddExcludedCount(2);
        var evaluation = builder.Build();
        var comparison = evaluation.CompareWith(evaluation, MetricNames.Recall, 3);

        var evaluationBack = JsonSerializer.Deserialize<RankingEvaluation>(JsonSerializer.Serialize(evaluation))!;
        var comparisonBack = JsonSerializer.Deserialize<PairedComparison>(JsonSerializer.Serialize(comparison))!;

        Assert.Equal(evaluation.Cutoffs, evaluationBack.Cutoffs);
        Assert.Equal(evaluation.Users, evaluationBack.Users);
        Assert.Equal(2, evaluationBack.ExcludedUsers);
        Assert.Equal(evaluation.Summaries.OrderBy(p => p.Key), evaluationBack.Summaries.OrderBy(p => p.Key));
        Assert.Equal(evaluation.Coverage.OrderBy(p => p.Key), evaluationBack.Coverage.OrderBy(p => p.Key));
        Assert.Equal(evaluation.PerUser[MetricNames.Key(MetricNames.Ndcg, 3)], evaluationBack.PerUser[MetricNames.Key(MetricNames.Ndcg, 3)]);
        Assert.Equal(evaluation.Mean(MetricNames.Recall, 3), evaluationBack.Mean(MetricNames.Recall, 3));
        Assert.Equal(comparison.Count, comparisonBack.Count);
        Assert.Equal(comparison.MeanDifference, comparisonBack.MeanDifference);
    }
}
