using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GraphRec.Data;
using GraphRec.Tests;
using Microsoft.Extensions.Logging;

namespace GraphRec.Core.Tests;

/// <summary>
/// What a file system or a neighbour can do to a model file or a checkpoint: a link to a device, a pipe, a folder where
/// a file should be, a folder that vanishes mid-run, writers of one file at once, forged checkpoints. Each ends in the
/// documented exception, or in a correct result; never a hang, an unbounded read or a lost model. Runs alone: a test
/// here counts the bytes the process allocates, which tests running beside it would add to.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class HostileFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-hostile-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (InteractionDataset Dataset, DatasetSplit Split) Data()
    {
        var all = TestGraphs.RandomInteractions(30, 20, 300, seed: 3);
        var dataset = new InteractionDataset("d", new IdMap(Enumerable.Range(1, 30).Select(u => (long)u)), new IdMap(Enumerable.Range(100, 20).Select(i => (long)i)),
            all, null, new LoadReport(all.Count, 0, 0, 0, []));
        return (dataset, dataset.Split(Splitters.RandomHoldout(0.2, seed: 1)));
    }

    private static LightGcnOptions Options(int epochs, string? checkpoints) =>
        new() { EmbeddingDimension = 4, Layers = 1, Epochs = epochs, BatchSize = 64, CheckpointDirectory = checkpoints, CheckpointEvery = 1, Threads = 1 };

    /// <summary>Runs <paramref name="load"/> off the test's thread, failing (not hanging) when it has not ended within a minute.</summary>
    private static Task<T> Bounded<T>(Func<Task<T>> load) => Task.Run(load).WaitAsync(TimeSpan.FromMinutes(1));

    private static void MakePipe(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [SkippableFact]
    public async Task A_model_path_linked_to_dev_zero_is_refused_without_reading_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero and symbolic links to it are Linux's.");
        string path = Path.Combine(_folder, "model.graphrec");
        File.CreateSymbolicLink(path, "/dev/zero");
        long before = GC.GetTotalAllocatedBytes(precise: true);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Bounded(() => Recommenders.LoadAsync(path)));

        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 << 20, "the loader read from the device");
    }

    [SkippableFact]
    public async Task A_model_path_that_is_a_pipe_is_refused_without_waiting_for_a_writer()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Named pipes are made with mkfifo.");
        string path = Path.Combine(_folder, "model.graphrec");
        MakePipe(path);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Bounded(() => Recommenders.LoadAsync(path)));

        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_checkpoint_linked_to_dev_zero_is_refused_before_the_first_epoch()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero and symbolic links to it are Linux's.");
        var (dataset, split) = Data();
        string checkpoints = Path.Combine(_folder, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        File.CreateSymbolicLink(Path.Combine(checkpoints, TrainingCheckpoint.FileName), "/dev/zero");

        var error = Assert.Throws<InvalidDataException>(() => LightGcn.Train(dataset, split, Options(1, checkpoints)));

        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_path_that_is_a_folder_is_a_format_error_that_says_so()
    {
        string path = Path.Combine(_folder, "model.graphrec");
        Directory.CreateDirectory(path);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Recommenders.LoadAsync(path));

        Assert.Contains("a folder, not a model file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_directory_that_is_a_file_is_refused_before_the_first_epoch()
    {
        var (dataset, split) = Data();
        string file = Path.Combine(_folder, "taken");
        File.WriteAllText(file, "x");
        int batches = 0;

        var error = Assert.Throws<IOException>(() => LightGcn.Train(dataset, split, Options(2, file), progress: new Progress(_ => batches++)));

        Assert.Contains("LightGcnOptions.CheckpointDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("is a file", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, batches);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void A_folder_where_the_checkpoint_file_goes_is_refused_before_the_first_epoch()
    {
        var (dataset, split) = Data();
        string checkpoints = Path.Combine(_folder, "checkpoints");
        Directory.CreateDirectory(Path.Combine(checkpoints, TrainingCheckpoint.FileName));
        int batches = 0;

        var error = Assert.Throws<IOException>(() => LightGcn.Train(dataset, split, Options(2, checkpoints), progress: new Progress(_ => batches++)));

        Assert.Contains($"holds a folder named {TrainingCheckpoint.FileName}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, batches);
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_written_mid_run_is_logged_and_the_trained_model_is_kept()
    {
        var (dataset, split) = Data();
        string checkpoints = Path.Combine(_folder, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        var logger = new ListLogger<LightGcn>();

        // Once training is under way, the folder is replaced by a file: every checkpoint write from then on fails, as on a full disk.
        var progress = new Progress(p =>
        {
            if (p.Epoch == 1 && p.Batch == 1)
            {
                Directory.Delete(checkpoints, recursive: true);
                File.WriteAllText(checkpoints, "in the way");
            }
        });
        using var model = LightGcn.Train(dataset, split, Options(3, checkpoints), progress: progress, logger: logger);

        Assert.Equal(3, model.History.Count);
        Assert.Equal(3, logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("could not be written", StringComparison.Ordinal)));
        Assert.Equal(3, model.Recommend(dataset.Users.GetNumericId(0), 3).Count);
    }

    [Fact]
    public async Task Eight_saves_of_one_path_at_once_all_succeed_and_leave_one_whole_model()
    {
        var (dataset, split) = Data();
        using var model = LightGcn.Train(dataset, split, Options(1, checkpoints: null));
        string path = Path.Combine(_folder, "model.graphrec");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => model.SaveAsync(path))));

        using var loaded = await LightGcn.LoadAsync(path);
        Assert.Equal(model.Recommend(dataset.Users.GetNumericId(0), 5), loaded.Recommend(dataset.Users.GetNumericId(0), 5));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    /// <summary>A checkpoint as a forger writes it: magic, the SHA-256 of the body, the body.</summary>
    private string WriteCheckpoint(byte[] body)
    {
        string directory = Path.Combine(_folder, "forged");
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, TrainingCheckpoint.FileName), [.. "GRCHKPT1"u8, .. SHA256.HashData(body), .. body]);
        return directory;
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void A_checkpoint_header_length_that_does_not_fit_is_a_format_error(int length)
    {
        string directory = WriteCheckpoint(BitConverter.GetBytes(length));

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(directory, "F", parameters: 0));

        Assert.Contains("does not fit in the file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"History\":null")]
    [InlineData("\"History\":[]")]
    [InlineData("\"History\":[null]")]
    public void A_checkpoint_whose_history_is_not_its_epochs_is_a_format_error(string history)
    {
        byte[] json = Encoding.UTF8.GetBytes(
            "{\"Fingerprint\":\"F\",\"Epoch\":1,\"AdamStep\":1,\"Best\":0,\"BestEpoch\":1,\"SinceBest\":0,\"HasBest\":false," + history + "}");
        byte[] arrays = [.. Enumerable.Repeat(BitConverter.GetBytes(0), 4).SelectMany(b => b)];
        string directory = WriteCheckpoint([.. BitConverter.GetBytes(json.Length), .. json, .. arrays]);

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(directory, "F", parameters: 0));

        Assert.Contains("the history does not hold the 1 epochs", error.Message, StringComparison.Ordinal);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
