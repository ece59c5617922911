using Spectre.Console;

namespace GraphRec.Sample.Tests;

/// <summary>What the sample shows through the console library, captured as plain text until disposed (then the previous console is back).</summary>
internal sealed class CapturedConsole : IDisposable
{
    private readonly IAnsiConsole _previous = AnsiConsole.Console;
    private readonly StringWriter _shown = new();

    public CapturedConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_shown),
        });
        console.Profile.Width = 500;
        AnsiConsole.Console = console;
    }

    /// <summary>Everything shown so far.</summary>
    public string Shown => _shown.ToString();

    public void Dispose()
    {
        AnsiConsole.Console = _previous;
        _shown.Dispose();
    }
}
