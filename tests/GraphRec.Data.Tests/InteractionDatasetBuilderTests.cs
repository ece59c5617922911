using GraphRec.Data;

namespace GraphRec.Data.Tests;

public sealed class InteractionDatasetBuilderTests
{
    private static readonly DateTimeOffset Monday = new(2024, 5, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Repeated_pairs_collapse_to_the_latest_event_and_are_counted()
    {
        var builder = new InteractionDatasetBuilder("shop")
            .Add("cust-b", "SKU-2", 2, Monday.AddDays(2))
            .Add("cust-a", "SKU-1", 5, Monday)
            .Add("cust-b", "SKU-2", 4, Monday.AddDays(1));

        var dataset = builder.Build();

        Assert.Equal("shop", dataset.Name);
        Assert.Equal(["cust-a", "cust-b"], dataset.Users.Ids);
        Assert.Equal(["SKU-1", "SKU-2"], dataset.Items.Ids);
        Assert.False(dataset.Users.IsNumeric);
        Assert.Equal(2, dataset.Interactions.Count);
        int b = dataset.Users.GetIndex("cust-b");
        int row = dataset.Interactions.RowPointers[b];
        Assert.Equal(2f, dataset.Interactions.Ratings[row]); // the latest by time, though added first
        Assert.Equal(Monday.AddDays(2).ToUnixTimeSeconds(), dataset.Interactions.Timestamps[row]);
        Assert.Equal(new LoadReport(3, 0, 1, 0, []), dataset.Report with { MalformedExamples = [] });
    }

    [Fact]
    public void A_rating_threshold_drops_or_keeps_apart_the_events_below_it()
    {
        InteractionDataset Build(bool keep) => new InteractionDatasetBuilder(ratingThreshold: 4, keepKnownNegatives: keep)
            .Add(1, 10, 5).Add(1, 20, 1).Add(2, 10, 4).Add(2, 20, 5).Add(3, 30, 2)
            .Build();

        var dropped = Build(keep: false);
        var kept = Build(keep: true);

        Assert.Equal([1L, 2L], dropped.Users.Ids.Select(long.Parse));
        Assert.True(dropped.Users.IsNumeric);
        Assert.Equal(3, dropped.Interactions.Count);
        Assert.Equal(2, dropped.Report.BelowThreshold);
        Assert.Null(dropped.KnownNegatives);
        Assert.True(kept.KnownNegatives!.Contains(kept.Users.GetIndex(1), kept.Items.GetIndex(20)));
        Assert.Equal(1, kept.KnownNegatives.Count);
        Assert.Equal(1, kept.Report.KnownNegativesOutsideDataset); // user 3 has no positive, so is not in the dataset
    }

    [Fact]
    public void Item_descriptions_follow_the_item_indices_and_undescribed_items_have_none()
    {
        var dataset = new InteractionDatasetBuilder()
            .Add("u1", "b-item").Add("u1", "a-item")
            .DescribeItem("b-item", "Blue mug", ["kitchen", "gifts"])
            .DescribeItem("not-in-data", "Never bought")
            .Build();

        Assert.Null(dataset.GetItemInfo(dataset.Items.GetIndex("a-item")));
        var mug = dataset.GetItemInfo(dataset.Items.GetIndex("b-item"))!;
        Assert.Equal("Blue mug", mug.Title);
        Assert.Equal(["kitchen", "gifts"], mug.Genres);
        Assert.False(dataset.Interactions.HasRatings);
        Assert.False(dataset.Interactions.HasTimestamps);
    }

    [Fact]
    public void Building_again_after_more_events_counts_afresh()
    {
        var builder = new InteractionDatasetBuilder().Add("u", "i").Add("u", "i");
        Assert.Equal(1, builder.Build().Report.DuplicatesCollapsed);

        builder.Add("v", "i");
        var dataset = builder.Build();

        Assert.Equal(1, dataset.Report.DuplicatesCollapsed);
        Assert.Equal(3, dataset.Report.LinesRead);
        Assert.Equal(2, dataset.Interactions.Count);
    }

    [Fact]
    public void Options_and_events_that_break_the_rules_are_refused_before_anything_is_added()
    {
        Assert.Throws<ArgumentException>(() => new InteractionDatasetBuilder(ratingThreshold: float.NaN));
        var negativesWithoutThreshold = Assert.Throws<ArgumentException>(() => new InteractionDatasetBuilder(keepKnownNegatives: true));
        Assert.Contains("rating threshold", negativesWithoutThreshold.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new InteractionDatasetBuilder("  "));

        var thresholded = new InteractionDatasetBuilder(ratingThreshold: 3);
        Assert.Contains("needs a rating", Assert.Throws<ArgumentException>(() => thresholded.Add("u", "i")).Message, StringComparison.Ordinal);

        var builder = new InteractionDatasetBuilder().Add("u", "i", 4);
        var mixed = Assert.Throws<ArgumentException>(() => builder.Add("u", "j"));
        Assert.Contains("has neither ratings nor times, the events before it have ratings and no times", mixed.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.Add("", "j", 4));
        Assert.Throws<ArgumentException>(() => builder.Add("u", "j", float.PositiveInfinity));
        Assert.Equal(1, builder.Count);
        Assert.Equal(1, builder.Build().Interactions.Count);
    }

    [Fact]
    public void Building_without_events_or_without_a_positive_one_says_so()
    {
        Assert.Contains("No events", Assert.Throws<InvalidOperationException>(() => new InteractionDatasetBuilder().Build()).Message, StringComparison.Ordinal);
        var allBelow = new InteractionDatasetBuilder(ratingThreshold: 4).Add("u", "i", 1);
        Assert.Contains("below the rating threshold", Assert.Throws<InvalidOperationException>(allBelow.Build).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_from_memory_and_from_a_file_with_the_same_rules_give_the_same_dataset()
    {
        using var folder = new TempFolder();
        string csv = folder.Write("events.csv",
            "ordered_at,sku,note,customer,stars\n" +
            "2024-05-06T09:00:00Z,SKU-1,\"gift, wrapped\",cust-a,5\n" +
            "1715072400,SKU-2,,cust-b,4\n" +
            "2024-05-08T09:00:00+00:00,SKU-2,,cust-b,2\n");
        var columns = new InteractionColumns("customer", "sku") { Rating = "stars", Timestamp = "ordered_at" };

        var fromFile = new InteractionDatasetBuilder("shop");
        Assert.Equal(3, await fromFile.AddDelimitedFileAsync(csv, columns));
        var fromMemory = new InteractionDatasetBuilder("shop")
            .Add("cust-a", "SKU-1", 5, Monday)
            .Add("cust-b", "SKU-2", 4, Monday.AddDays(1))
            .Add("cust-b", "SKU-2", 2, Monday.AddDays(2));

        DatasetAssert.Same(fromMemory.Build(), fromFile.Build());
    }
}

/// <summary>Compares two datasets field by field; checks that a failed read left a builder as it was.</summary>
internal static class DatasetAssert
{
    /// <summary>A builder holding one event already, for <see cref="Unchanged"/>.</summary>
    public static InteractionDatasetBuilder OneEvent() => new InteractionDatasetBuilder().Add("cust-0", "SKU-0", 3, DateTimeOffset.UnixEpoch);

    /// <summary>The builder of <see cref="OneEvent"/> still holds only that event, and builds it alone.</summary>
    public static void Unchanged(InteractionDatasetBuilder builder)
    {
        Assert.Equal(1, builder.Count);
        var dataset = builder.Build();
        Assert.Equal(["cust-0"], dataset.Users.Ids);
        Assert.Equal(["SKU-0"], dataset.Items.Ids);
    }

    public static void Same(InteractionDataset expected, InteractionDataset actual)
    {
        Assert.Equal(expected.Users.Ids, actual.Users.Ids);
        Assert.Equal(expected.Items.Ids, actual.Items.Ids);
        Assert.Equal(expected.Interactions.RowPointers.ToArray(), actual.Interactions.RowPointers.ToArray());
        Assert.Equal(expected.Interactions.Items.ToArray(), actual.Interactions.Items.ToArray());
        Assert.Equal(expected.Interactions.Ratings.ToArray(), actual.Interactions.Ratings.ToArray());
        Assert.Equal(expected.Interactions.Timestamps.ToArray(), actual.Interactions.Timestamps.ToArray());
        Assert.Equal(expected.ItemInfo, actual.ItemInfo);
        Assert.Equal(expected.Report with { MalformedExamples = [] }, actual.Report with { MalformedExamples = [] });
    }
}
