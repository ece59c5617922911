namespace GraphRec.Sample.Tests;

/// <summary>A size too large for the machine is one line that says how much memory it would take, not libtorch's allocator failing.</summary>
public sealed class HugeSizeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-huge-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("200000000")]
    [InlineData("2147483647")]
    public async Task An_embedding_dimension_larger_than_memory_is_one_line_in_bytes(string dimension)
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string output = Path.Combine(_folder, "out");
        var previous = Console.Error;
        using var errors = new StringWriter();
        Console.SetError(errors);
        int code;
        try
        {
            code = await Cli.RunAsync(["--data-dir", data, "--dim", dimension, "--epochs", "1", "--output", output]);
        }
        finally
        {
            Console.SetError(previous);
        }

        string[] lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, code);
        Assert.Single(lines);
        Assert.StartsWith($"error: LightGcnOptions.EmbeddingDimension = {dimension} needs at least ", lines[0], StringComparison.Ordinal);
        Assert.Contains(" bytes of memory available", lines[0], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "model.graphrec")));
    }
}
