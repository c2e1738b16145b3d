; strict left-to-right evaluation and canonical numbers
write 1+2*3,!
write 2+3*4-1,!
write 10-2-3,!
write 2**3**2,!
write 7\2," ",-7\2," ",7#3," ",-7#3," ",7#-3,!
write "007"+0," ",".5"+0," ",1.0," ",1.50," ",-0.5," ",+"12abc"," ",+"abc",!
write .1+.2," ",1/3," ",10/4," ",1E3,!
write 1=1,"01"=1,1'=2,"2"<"10","b"]"a","abc"["b",!
write 1+1=2,2=1+1,'0,'1=0,!
write "123"?3N,"12a"?3N,"a1"?1A1N,"ABc"?2U1L,"x-y"?1A1"-"1A,"x"?.N,!
write 0&&undefined,1||undefined,!
write "con"_"cat"_1+1,!
