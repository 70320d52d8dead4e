//! What changes from one language to the next: the words typed answers are read with.

pub mod letters;
pub mod lexicon;
