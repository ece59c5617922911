using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>The baselines refuse, before allocating, what they could not hold: counted by what they really allocate.</summary>
public sealed class BaselinesTests
{
    [Fact]
    public void PureSvd_of_one_user_with_47000_items_is_refused_by_its_item_by_item_factors_before_any_work()
    {
        // 47,000 cells as users x items, but the dense SVD's item factors alone would be 47,000 x 47,000.
        var train = new Interactions(1, 47_000, [0, 47_000], [.. Enumerable.Range(0, 47_000)]);

        var error = Assert.Throws<InvalidOperationException>(() => Recommenders.EvaluatePureSvd(train, heldOut: train));

        Assert.Contains("47,000 items", error.Message, StringComparison.Ordinal);
    }
}
