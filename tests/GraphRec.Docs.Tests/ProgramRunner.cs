using System.Reflection;

namespace GraphRec.Docs.Tests;

/// <summary>Runs a program's entry point in this process, in a given working folder, and returns what it printed.</summary>
internal static class ProgramRunner
{
    public static string Run(Assembly program, string workingFolder)
    {
        var entry = program.EntryPoint ?? throw new ArgumentException($"{program.GetName().Name} has no entry point.", nameof(program));
        var previousOut = Console.Out;
        string previousDirectory = Environment.CurrentDirectory;
        using var output = new StringWriter();
        Console.SetOut(output);
        Environment.CurrentDirectory = workingFolder;
        try
        {
            entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousDirectory;
        }

        return output.ToString();
    }
}
