using GraphRec.Core.Kernels;

namespace GraphRec.Core.Tests;

/// <summary>The index of a training batch's gathered rows, against hand-worked values.</summary>
public sealed class BatchRowsTests
{
    [Fact]
    public void A_batch_is_indexed_by_its_distinct_nodes_ascending_with_each_rows_place_among_them()
    {
        var marks = new int[10];

        var batch = BatchRows.Index([7, 2, 7, 0, 9, 2], marks);

        Assert.Equal([7, 2, 7, 0, 9, 2], batch.Nodes);
        Assert.Equal([0, 2, 7, 9], batch.Distinct);
        Assert.Equal([2, 1, 2, 0, 3, 1], batch.Positions);
    }

    [Fact]
    public void Indexing_leaves_the_scratch_slots_all_zero_for_the_next_batch()
    {
        var marks = new int[10];
        BatchRows.Index([9, 0, 4, 4], marks);

        var next = BatchRows.Index([3, 9], marks);

        Assert.All(marks, mark => Assert.Equal(0, mark));
        Assert.Equal([3, 9], next.Distinct);
        Assert.Equal([0, 1], next.Positions);
    }

    [Fact]
    public void An_empty_batch_has_no_rows()
    {
        var batch = BatchRows.Index([], new int[3]);

        Assert.Empty(batch.Distinct);
        Assert.Empty(batch.Positions);
    }
}
