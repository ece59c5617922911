namespace GraphRec.Data.Tests;

public sealed class IdMapTests
{
    [Fact]
    public void Integer_ids_given_as_text_make_a_numeric_map_ordered_by_value()
    {
        var map = new IdMap(["196", "-3", "22"]);

        Assert.True(map.IsNumeric);
        Assert.Equal(["-3", "22", "196"], map.Ids);
        Assert.Equal(196L, map.GetNumericId(2));
        Assert.Equal(1, map.GetIndex(22L));
        Assert.Equal(1, map.GetIndex("22"));
    }

    [Theory]
    [InlineData("007")]
    [InlineData("+7")]
    [InlineData("-0")]
    [InlineData(" 7")]
    [InlineData("99999999999999999999")]
    public void An_id_that_is_not_a_canonical_integer_makes_the_map_textual(string id)
    {
        var map = new IdMap(["7", id]);

        Assert.False(map.IsNumeric);
        Assert.Equal(new[] { "7", id }.Order(StringComparer.Ordinal), map.Ids);
        Assert.Equal(map.Ids.ToList().IndexOf(id), map.GetIndex(id));
        Assert.Equal(map.GetIndex("7"), map.GetIndex(7L));
        Assert.Throws<InvalidOperationException>(() => map.GetNumericId(0));
    }

    [Fact]
    public void Text_ids_are_ordered_ordinally_and_matched_exactly()
    {
        var map = new IdMap(["sku-b", "SKU-a", "sku-a"]);

        Assert.Equal(["SKU-a", "sku-a", "sku-b"], map.Ids);
        Assert.False(map.TryGetIndex("Sku-A", out _));
        Assert.False(map.TryGetIndex(1L, out _));
        var error = Assert.Throws<KeyNotFoundException>(() => map.GetIndex("sku-z"));
        Assert.Contains("\"sku-z\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_numeric_map_does_not_find_a_non_canonical_spelling_of_its_ids()
    {
        var map = new IdMap([7L, 8L]);

        Assert.True(map.TryGetIndex("7", out int index));
        Assert.Equal(0, index);
        Assert.False(map.TryGetIndex("007", out _));
        Assert.False(map.TryGetIndex("seven", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void An_empty_or_null_id_is_refused(string? id)
    {
        var error = Assert.Throws<ArgumentException>(() => new IdMap(["a", id!]));
        Assert.Contains("position 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_text_id_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new IdMap(["a", "b", "a"]));
        Assert.Contains("\"a\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_collector_keeps_integer_ids_numeric_until_the_first_other_id_and_then_keeps_every_record()
    {
        var collector = new InteractionCollector(ratingThreshold: null, keepKnownNegatives: false, hasRatings: false, hasTimestamps: false);
        collector.Add(10L, 1L);
        collector.Add("2", "1");
        collector.Add("cust-3", "1");
        collector.Add("10", "sku-9");

        var (users, items, positives, _) = collector.Build();

        Assert.False(users.IsNumeric);
        Assert.Equal(["10", "2", "cust-3"], users.Ids);
        Assert.False(items.IsNumeric);
        Assert.Equal(["1", "sku-9"], items.Ids);
        Assert.Equal([0, 1], positives.ItemsOf(users.GetIndex("10")).ToArray());
        Assert.Equal([0], positives.ItemsOf(users.GetIndex("cust-3")).ToArray());
    }
}
