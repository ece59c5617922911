namespace GraphRec.Data;

/// <summary>Divides interactions into kept and held-out parts. Deterministic for the same input and settings.</summary>
public interface ISplitter
{
    /// <summary>Returns one flag per interaction (in CSR order): true to hold it out.</summary>
    bool[] SelectHeldOut(Interactions interactions);
}
