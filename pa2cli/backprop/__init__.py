"""Part B, q. 3: network file -> validated graph -> numpy forward/backward -> quiz/solution."""
