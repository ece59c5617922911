namespace GraphRec.Data.Tests;

public sealed class InteractionsTests
{
    [Fact]
    public void A_row_pointer_beyond_the_items_in_an_early_row_is_an_argument_error()
    {
        // Found by the model-file property test: row 0 claims items 0..8 of 6, and the last pointer is consistent.
        Assert.Throws<ArgumentException>(() => new Interactions(4, 5, [0, 9, 3, 5, 6], [0, 1, 2, 1, 3, 4]));
    }

    [Fact]
    public void Negative_sizes_are_an_argument_error() =>
        Assert.Throws<ArgumentException>(() => new Interactions(-1, 5, [], []));

    [Fact]
    public void A_consistent_structure_is_accepted() =>
        Assert.Equal(6, new Interactions(4, 5, [0, 2, 3, 5, 6], [0, 1, 2, 1, 3, 4]).Count);
}
