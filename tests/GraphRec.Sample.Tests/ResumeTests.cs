using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace GraphRec.Sample.Tests;

/// <summary><c>train --resume DIR</c> and <c>--sampler</c>, through the real command.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static JsonNode Metrics(string output) => JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!;

    [Fact]
    public async Task Two_epochs_then_a_resumed_third_give_the_model_of_three_straight_epochs()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string[] common = ["--data-dir", data, "--dim", "8", "--batch-size", "64", "--eval-every", "1", "--threads", "2"];
        string checkpoints = Path.Combine(_folder, "checkpoints");

        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", "3", "--output", Path.Combine(_folder, "straight")]));
        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", "2", "--resume", checkpoints, "--output", Path.Combine(_folder, "first")]));
        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", "3", "--resume", checkpoints, "--output", Path.Combine(_folder, "resumed")]));

        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "straight", "model.graphrec")), File.ReadAllBytes(Path.Combine(_folder, "resumed", "model.graphrec")));
        Assert.Equal(3, Metrics(Path.Combine(_folder, "resumed"))["history"]!.AsArray().Count);
    }

    /// <summary>
    /// Ctrl-C as a user presses it: SIGINT to the sample's own process, mid-run. The process must say where the run
    /// can continue, exit with 130 and leave a checkpoint; the same command from there must end with the model of a
    /// straight run, bit for bit. The in-process tests above cannot show this: they never pass through the runtime's
    /// signal handling and System.CommandLine's cancellation.
    /// </summary>
    [SkippableFact]
    public async Task Ctrl_C_during_training_leaves_a_checkpoint_from_which_the_same_command_ends_with_the_straight_runs_model()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGINT is sent with the POSIX kill command, which Windows does not have.");
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string checkpoints = Path.Combine(_folder, "checkpoints");
        string[] model = ["--data-dir", data, "--dim", "8", "--batch-size", "64", "--threads", "2"];
        string[] common = [.. model, "--resume", checkpoints];

        // Far more epochs than can run before the signal lands, so the process is surely mid-run when it does, and no
        // periodic checkpoint, so the one found after the signal can only have been written because of it.
        (int exitCode, int lastPrintedEpoch, string errors) = await RunUntilSignalled(
            "INT", [.. common, "--epochs", "100000", "--checkpoint-every", "100000", "--output", Path.Combine(_folder, "interrupted")]);

        Assert.Equal(130, exitCode);
        Assert.Contains($"the last complete epoch is saved in {checkpoints}", errors, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(checkpoints, "training.checkpoint")));

        // The checkpoint holds the last complete epoch, at most one past the last one printed; two more are left to run.
        string epochs = (lastPrintedEpoch + 2).ToString(CultureInfo.InvariantCulture);
        string resumed = Path.Combine(_folder, "resumed"), straight = Path.Combine(_folder, "straight");
        Assert.Equal(0, await Cli.RunAsync([.. common, "--epochs", epochs, "--output", resumed]));
        Assert.Equal(0, await Cli.RunAsync([.. model, "--epochs", epochs, "--output", straight]));

        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.graphrec")), File.ReadAllBytes(Path.Combine(resumed, "model.graphrec")));
        Assert.Equal(lastPrintedEpoch + 2, Metrics(resumed)["history"]!.AsArray().Count);
    }

    /// <summary>
    /// A closed terminal: SIGHUP, mid-run, must end the run as Ctrl-C does, with the last complete epoch saved, rather
    /// than kill it with nothing saved.
    /// </summary>
    [SkippableFact]
    public async Task A_closed_terminal_during_training_leaves_a_checkpoint_as_Ctrl_C_does()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGHUP is sent with the POSIX kill command, which Windows does not have.");
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string checkpoints = Path.Combine(_folder, "checkpoints");

        (int exitCode, int lastPrintedEpoch, string errors) = await RunUntilSignalled("HUP",
            ["--data-dir", data, "--dim", "8", "--batch-size", "64", "--threads", "2", "--resume", checkpoints,
             "--epochs", "100000", "--checkpoint-every", "100000", "--output", Path.Combine(_folder, "hung-up")]);

        Assert.True(exitCode == 130, $"exit code {exitCode}: {errors}");
        Assert.Contains($"the last complete epoch is saved in {checkpoints}", errors, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(checkpoints, "training.checkpoint")));
        Assert.True(lastPrintedEpoch >= 1);
    }

    /// <summary>
    /// Starts the sample as its own process, sends it <paramref name="signal"/> once it has printed its first epoch, and
    /// returns its exit code, the last epoch it printed and what it wrote to stderr.
    /// </summary>
    private static async Task<(int ExitCode, int LastPrintedEpoch, string Errors)> RunUntilSignalled(string signal, string[] arguments)
    {
        string[] sample = [DotnetHost(), Path.Combine(AppContext.BaseDirectory, "graphrec-sample.dll"), .. arguments];

        // A child inherits an ignored signal (nohup ignores SIGHUP; a script's background job ignores SIGINT), and the
        // runtime then rightly leaves it ignored, so a test runner started that way would see the run go on to its end.
        // GNU env resets the signal to its default first, so the sample meets the signal as it does from a terminal.
        string[] command = OperatingSystem.IsLinux() ? ["env", "--default-signal=" + signal, .. sample] : sample;
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            Task<string> errors = process.StandardError.ReadToEndAsync(timeout.Token);
            int lastPrintedEpoch = 0;
            bool interrupted = false;
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                // Redirected output has one line per epoch: "epoch   3/100000: loss ...".
                if (line.StartsWith("epoch ", StringComparison.Ordinal))
                {
                    lastPrintedEpoch = int.Parse(line.AsSpan(6, line.IndexOf('/', StringComparison.Ordinal) - 6), CultureInfo.InvariantCulture);
                    if (!interrupted)
                    {
                        SendSignal(signal, process.Id);
                        interrupted = true;
                    }
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            Assert.True(interrupted, "the sample printed no epoch before it exited: " + await errors);
            return (process.ExitCode, lastPrintedEpoch, await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    /// <summary>The <c>dotnet</c> host running these tests, so the sample runs on the same runtime.</summary>
    internal static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static void SendSignal(string signal, int processId)
    {
        using var kill = Process.Start("kill", ["-" + signal, processId.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task A_checkpoint_of_other_options_is_one_line_and_exit_code_one()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string checkpoints = Path.Combine(_folder, "checkpoints");
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "1", "--resume", checkpoints, "--output", Path.Combine(_folder, "a")]));

        Assert.Equal(1, await Cli.RunAsync(["--data-dir", data, "--dim", "16", "--epochs", "2", "--resume", checkpoints, "--output", Path.Combine(_folder, "b")]));
    }

    [Fact]
    public async Task The_reference_codes_sampler_is_a_choice_recorded_in_metrics_json()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string output = Path.Combine(_folder, "user");

        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "2", "--sampler", "user", "--output", output]));

        Assert.Equal("user", (string)Metrics(output)["config"]!["sampler"]!);
    }

    [Fact]
    public async Task Bfloat16_layers_are_a_choice_recorded_in_metrics_json_that_trains_another_model()
    {
        string data = SmallMovieLens.Write(_folder, SmallMovieLens.TwoGroups(), 30);
        string full = Path.Combine(_folder, "full"), rounded = Path.Combine(_folder, "bfloat16");

        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "2", "--output", full]));
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data, "--dim", "8", "--epochs", "2", "--precision", "bfloat16-layers", "--output", rounded]));

        Assert.Equal("full", (string)Metrics(full)["config"]!["precision"]!);
        Assert.Equal("bfloat16-layers", (string)Metrics(rounded)["config"]!["precision"]!);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(full, "model.graphrec")), File.ReadAllBytes(Path.Combine(rounded, "model.graphrec")));
    }
}
