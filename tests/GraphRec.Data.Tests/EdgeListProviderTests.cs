using GraphRec.Data;

namespace GraphRec.Data.Tests;

public sealed class EdgeListProviderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Reads_the_predefined_split_with_identity_ids()
    {
        _folder.Write("d/train.txt", "0 1 2\n1 0\n2 3 1\n");
        _folder.Write("d/test.txt", "0 3\n1 2 0\n2\n");

        var dataset = await EdgeListProvider.FromFolder(Path.Combine(_folder.Path, "d")).LoadAsync();

        Assert.Equal(3, dataset.Users.Count);
        Assert.Equal(4, dataset.Items.Count);
        var split = dataset.PredefinedSplit!;
        Assert.Equal(5, split.Train.Count);
        Assert.Equal(1, split.DroppedHeldOut); // (1, 0) is in train already
        Assert.Equal(2, split.Test.Count);
        Assert.Equal(7, dataset.Interactions.Count);
    }

    [Fact]
    public async Task A_bad_id_names_the_line()
    {
        _folder.Write("d/train.txt", "0 1 2\n1 x\n");
        _folder.Write("d/test.txt", "0 3\n");

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => EdgeListProvider.FromFolder(Path.Combine(_folder.Path, "d")).LoadAsync());

        Assert.Equal(2, error.LineNumber);
    }

    [SkippableFact]
    public async Task Real_gowalla_has_its_published_counts()
    {
        string folder = RealData.Require("gowalla");

        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync();

        Assert.Equal(29_858, dataset.Users.Count);
        Assert.Equal(40_981, dataset.Items.Count);
        Assert.Equal(810_128, dataset.PredefinedSplit!.Train.Count);
        Assert.Equal(217_242, dataset.PredefinedSplit.Test.Count + dataset.PredefinedSplit.DroppedHeldOut);
        Assert.Equal(0, dataset.PredefinedSplit.DroppedHeldOut);
    }
}
