"""Part B, question 3: network file -> validated graph -> numpy forward/backward -> quiz/solution."""
