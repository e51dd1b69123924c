"""What each chapter shows: one module per chapter, each function taking the chapter (`present.chapter.Chapter`)."""
